/**
 * The outgoing queue: events waiting for delivery, kept in storage so they
 * survive a reload, a crash or a closed tab, bounded (the oldest are dropped
 * first), with every drop counted by reason until a batch reports it.
 *
 * Each page keeps its queue under its own key, so two tabs never overwrite
 * each other; a new page adopts the queues of all others. Adopting a queue
 * that a live tab still sends at worst sends an event twice, which the
 * server's de-duplication by event_id absorbs; nothing is ever lost.
 */

import { KEY_PREFIX, readJson } from "./storage.js";
import { newUuid, utf8Length } from "./util.js";

const QUEUE_KEY_PREFIX = KEY_PREFIX + "queue:";
const DROPPED_KEY_PREFIX = KEY_PREFIX + "dropped:";

/** Open this page's queue, adopting those that earlier pages left behind. */
export function createQueue(storage, maxEvents) {
  const pageId = newUuid();
  const key = QUEUE_KEY_PREFIX + pageId;
  const droppedKey = DROPPED_KEY_PREFIX + pageId;
  // Counted in memory and written with the queue: a burst that overflows
  // the queue must not cost a storage write per dropped event.
  let dropped = {};
  let items = [];
  let isDirty = false;

  /** Append a serialized event (a new event_id); over the bound, drop the oldest and count them. */
  function push(eventId, json) {
    items.push({ _id: eventId, _json: json, _bytes: utf8Length(json) });
    isDirty = true;
    const excess = items.length - maxEvents;
    if (excess > 0) {
      items.splice(0, excess);
      countDrop("queue_full", excess);
    }
  }

  /** The oldest events not in `skipIds`, within both limits (at least one). */
  function take(maxCount, maxBytes, skipIds) {
    const batch = [];
    let bytes = 0;
    for (const item of items) {
      if (batch.length >= maxCount) break;
      if (skipIds.has(item._id)) continue;
      if (batch.length > 0 && bytes + item._bytes > maxBytes) break;
      batch.push(item);
      bytes += item._bytes + 1;
    }
    return batch;
  }

  /** Forget events the server has answered for (or that were dropped). */
  function remove(batch) {
    const done = new Set(batch.map((item) => item._id));
    items = items.filter((item) => !done.has(item._id));
    isDirty = true;
  }

  /** Write the queue to storage when it changed; an empty queue leaves no key. */
  function persist() {
    if (!isDirty) return;
    isDirty = false;
    if (items.length === 0) storage._remove(key);
    else
      storage._set(key, "[" + items.map((item) => item._json).join(",") + "]");
    if (dropCounts()) storage._set(droppedKey, JSON.stringify(dropped));
    else storage._remove(droppedKey);
  }

  /** Drops not yet reported, as reason -> count, or null when there are none. */
  function dropCounts() {
    return Object.keys(dropped).length ? { ...dropped } : null;
  }

  function countDrop(reason, count) {
    dropped[reason] = (dropped[reason] || 0) + count;
    isDirty = true;
  }

  /** Subtract counts that a delivered batch reported. */
  function settleDrops(reported) {
    for (const reason in reported) {
      const left = (dropped[reason] || 0) - reported[reason];
      if (left > 0) dropped[reason] = left;
      else delete dropped[reason];
    }
    isDirty = true;
  }

  function adoptStoredQueues() {
    // By event_id: two stored queues may hold the same event (a tab adopted
    // another's queue while that tab still ran); it is queued once.
    const events = new Map();
    for (const storedKey of storage._keys()) {
      if (storedKey.startsWith(DROPPED_KEY_PREFIX)) {
        const counts = readJson(storage, storedKey, {});
        for (const reason in counts) countDrop(reason, counts[reason]);
      } else if (storedKey.startsWith(QUEUE_KEY_PREFIX)) {
        for (const event of readJson(storage, storedKey, [])) {
          if (typeof event?.event_id === "string") {
            events.set(event.event_id, event);
          }
        }
      } else continue;
      storage._remove(storedKey);
    }
    // Timestamps are UTC ISO text, so text order is time order.
    const byTime = (a, b) => (a.timestamp < b.timestamp ? -1 : 1);
    for (const event of Array.from(events.values()).sort(byTime)) {
      push(event.event_id, JSON.stringify(event));
    }
    persist();
  }

  adoptStoredQueues();
  return {
    _push: push,
    _take: take,
    _remove: remove,
    _clear: () => remove(items),
    _persist: persist,
    _dropCounts: dropCounts,
    _countDrop: countDrop,
    _settleDrops: settleDrops,
    get _length() {
      return items.length;
    },
    // Summed when asked: the queue rarely holds more than a batch.
    get _totalBytes() {
      return items.reduce((sum, item) => sum + item._bytes, 0);
    },
  };
}
