/**
 * Delivery of queued events: batches by count, bytes and time; retries with
 * exponential backoff and jitter; 413 halves the batch; page close hands the
 * queue to sendBeacon. An event leaves the queue only when the server has
 * answered for it, so a lost beacon or a dropped connection loses nothing.
 */

import { warnOnce } from "./util.js";

const BEACON_MAX_BYTES = 60 * 1024 - 100; // 100 bytes for the batch wrapper
const BACKOFF_BASE_MILLIS = 1000;
const BACKOFF_MAX_MILLIS = 5 * 60 * 1000;
const RETRY_AFTER_MAX_MILLIS = 60 * 60 * 1000;
// Network errors retry forever (the queue is persisted); an answer of 429 or
// 5xx this many times in a row drops the batch so one bad batch cannot block.
export const MAX_HTTP_ATTEMPTS = 10;

/** The request body of a batch; drop counts ride in the first event's context. */
export function buildBody(batch, dropped) {
  const sentAt = new Date().toISOString();
  const events = batch.map((item) => item._json);
  if (dropped) {
    const first = JSON.parse(events[0]);
    first.context = { ...first.context, dropped };
    events[0] = JSON.stringify(first);
  }
  return '{"sent_at":"' + sentAt + '","batch":[' + events.join(",") + "]}";
}

/** Milliseconds to wait from a Retry-After header (seconds or HTTP date). */
export function parseRetryAfter(header, nowMillis) {
  if (!header) return null;
  const seconds = Number(header); // NaN for an HTTP date
  const millis = isNaN(seconds)
    ? Date.parse(header) - nowMillis
    : seconds * 1000;
  if (isNaN(millis)) return null;
  return Math.min(Math.max(millis, 0), RETRY_AFTER_MAX_MILLIS);
}

/** Delivery for `queue`, sending with `send` (the page's unwrapped fetch). */
export function createDelivery(options, queue, send, navigatorApi) {
  const { endpoint, writeKey, maxBatchEvents, maxBatchBytes } = options;
  const beaconed = new Set();
  let maxEvents = maxBatchEvents;
  let timer;
  let timerDueMillis = Infinity; // when no timer is set
  let backoffUntilMillis = 0;
  let networkAttempts = 0;
  let httpAttempts = 0;
  let running; // the drain under way, if any

  function schedule(delayMillis) {
    const dueMillis = Date.now() + delayMillis;
    if (timerDueMillis <= dueMillis) return;
    clearTimeout(timer);
    timerDueMillis = dueMillis;
    timer = setTimeout(() => {
      timerDueMillis = Infinity;
      drain();
    }, delayMillis);
  }

  /** React to a new event: a full batch goes at once, otherwise on the interval. */
  function onEnqueue() {
    const isFull =
      queue._length >= maxBatchEvents || queue._totalBytes >= maxBatchBytes;
    schedule(isFull ? 0 : options.flushIntervalMs);
  }

  const hasPending = () => queue._take(1, Infinity, beaconed).length > 0;

  /** Send batches until the queue is empty or a send must wait. */
  function drain() {
    if (running) return running;
    running = drainLoop().finally(() => {
      running = undefined;
      queue._persist();
      // Events left over are waiting out a backoff.
      if (hasPending()) schedule(Math.max(backoffUntilMillis - Date.now(), 0));
    });
    return running;
  }

  async function drainLoop() {
    while (hasPending() && Date.now() >= backoffUntilMillis) {
      if (!(await sendBatch())) return;
    }
  }

  function post(url, headers, body, keepalive) {
    return send(url, {
      method: "POST",
      headers,
      body,
      keepalive,
      credentials: "omit",
    });
  }

  /** Send one batch; true when the next one may follow at once. */
  async function sendBatch() {
    const batch = queue._take(maxEvents, maxBatchBytes, beaconed);
    const dropped = queue._dropCounts();
    const headers = { "Content-Type": "application/json" };
    if (writeKey) headers["X-Telemetry-Key"] = writeKey;
    let response;
    try {
      response = await post(endpoint, headers, buildBody(batch, dropped));
    } catch (networkError) {
      backOff(null);
      return false;
    }
    return handleResponse(response, batch, dropped);
  }

  function handleResponse(response, batch, dropped) {
    const status = response.status;
    if (status >= 200 && status < 300) {
      forget(batch);
      if (dropped) queue._settleDrops(dropped);
      networkAttempts = httpAttempts = 0;
      return true;
    }
    if (status === 413) {
      // The server's limit is below ours: halve the batch for good.
      if (batch.length === 1) return dropBatch(batch, "too_large");
      maxEvents = Math.ceil(batch.length / 2);
      return true;
    }
    if (status === 429 || status >= 500) {
      if (++httpAttempts >= MAX_HTTP_ATTEMPTS) {
        return dropBatch(batch, "retries_exhausted");
      }
      const header = response.headers.get("Retry-After");
      backOff(parseRetryAfter(header, Date.now()));
      return false;
    }
    warnOnce("batch refused with status " + status);
    return dropBatch(batch, "http_" + status);
  }

  function forget(batch) {
    queue._remove(batch);
    for (const item of batch) beaconed.delete(item._id);
  }

  function dropBatch(batch, reason) {
    forget(batch);
    queue._countDrop(reason, batch.length);
    httpAttempts = 0;
    return true;
  }

  function backOff(retryAfterMillis) {
    const ceiling = Math.min(
      BACKOFF_MAX_MILLIS,
      BACKOFF_BASE_MILLIS * 2 ** networkAttempts++,
    );
    // Equal jitter: half fixed, half random, so clients that failed together
    // do not all come back together.
    const delay =
      retryAfterMillis ?? ceiling / 2 + (Math.random() * ceiling) / 2;
    backoffUntilMillis = Date.now() + delay;
  }

  /** The connection is back: retry now instead of waiting out the backoff. */
  function onOnline() {
    backoffUntilMillis = networkAttempts = 0;
    schedule(0);
  }

  /** The page is visible again: beaconed events go again by fetch, confirmed. */
  function onVisible() {
    beaconed.clear();
    if (queue._length > 0) schedule(0);
  }

  /**
   * The page is hidden or closing: hand every event not yet beaconed to
   * sendBeacon (fetch with keepalive when it refuses), as text/plain so no
   * CORS preflight is needed. They stay queued: a beacon cannot say whether
   * it arrived, and the next page load sends them again.
   */
  function sendBeacons() {
    queue._persist();
    const separator = endpoint.includes("?") ? "&" : "?";
    const url = writeKey
      ? endpoint + separator + "key=" + encodeURIComponent(writeKey)
      : endpoint;
    for (;;) {
      const batch = queue._take(maxBatchEvents, BEACON_MAX_BYTES, beaconed);
      if (batch.length === 0 || !beacon(url, batch)) return;
      for (const item of batch) beaconed.add(item._id);
    }
  }

  function beacon(url, batch) {
    const body = buildBody(batch);
    try {
      if (navigatorApi.sendBeacon?.(url, body)) return true;
      const headers = { "Content-Type": "text/plain" };
      post(url, headers, body, true).catch(() => {});
      return true;
    } catch (refused) {
      return false;
    }
  }

  const stop = () => clearTimeout(timer);
  return {
    _schedule: schedule,
    _onEnqueue: onEnqueue,
    _drain: drain,
    _onOnline: onOnline,
    _onVisible: onVisible,
    _sendBeacons: sendBeacons,
    _stop: stop,
  };
}
