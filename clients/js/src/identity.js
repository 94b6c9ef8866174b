/**
 * Who sends: a random `anonymous_id` per browser (kept in storage, never a
 * cookie) and a `session_id` renewed after 30 minutes without activity. The
 * session is shared by the tabs of one browser through storage.
 */

import { KEY_PREFIX, readJson } from "./storage.js";
import { newUuid } from "./util.js";

export const SESSION_TIMEOUT_MILLIS = 30 * 60 * 1000;
const ANONYMOUS_ID_KEY = KEY_PREFIX + "anonymous_id";
const SESSION_KEY = KEY_PREFIX + "session";

function isLive(session, nowMillis) {
  return (
    typeof session?.id === "string" &&
    nowMillis - session.last <= SESSION_TIMEOUT_MILLIS
  );
}

/** Read (or make) this browser's identity. */
export function createIdentity(storage) {
  let anonymousId = storage._get(ANONYMOUS_ID_KEY);
  if (!anonymousId) {
    anonymousId = newUuid();
    storage._set(ANONYMOUS_ID_KEY, anonymousId);
  }
  let session = readJson(storage, SESSION_KEY, null);
  let isDirty = false;

  /** The session for an event at `nowMillis`, renewed after the timeout. */
  function sessionAt(nowMillis) {
    if (!isLive(session, nowMillis)) {
      // Another tab may have kept the session alive meanwhile.
      const stored = readJson(storage, SESSION_KEY, null);
      session = isLive(stored, nowMillis)
        ? stored
        : { id: newUuid(), last: nowMillis };
      isDirty = true;
    }
    // Writing storage on every event would cost more than the event itself;
    // the activity time is written together with the queue instead.
    if (nowMillis > session.last) {
      session.last = nowMillis;
      isDirty = true;
    }
    return session.id;
  }

  function persist() {
    if (!isDirty) return; // dirty only once sessionAt() has made a session
    isDirty = false;
    storage._set(SESSION_KEY, JSON.stringify(session));
  }

  return {
    _anonymousId: anonymousId,
    _sessionAt: sessionAt,
    _persist: persist,
  };
}
