/**
 * The client behind `LmsTelemetry`: builds event envelopes, owns the queue,
 * delivery, identity and autocapture, and exposes a public API whose calls
 * warn once when misused and never throw into the page.
 *
 * `env` is the browser's window (or a stand-in in tests); timers and clocks
 * are the global ones.
 */

import {
  captureClicks,
  captureErrors,
  capturePageLoad,
  capturePageViews,
  captureWebVitals,
} from "./autocapture.js";
import { createDelivery } from "./delivery.js";
import { createExperiments } from "./exposure.js";
import { hashBucket } from "./experiments.js";
import { createIdentity } from "./identity.js";
import { captureApiRequests } from "./network.js";
import { isCaptured, PERSONAS, readOptions } from "./options.js";
import { createQueue } from "./queue.js";
import { watchSearchInput } from "./search.js";
import { KEY_PREFIX, openStorage } from "./storage.js";
import {
  SCHEMA_VERSION,
  listen,
  newUuid,
  sameOriginPath,
  sanitize,
  warnOnce,
} from "./util.js";

const EVENT_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const OPT_OUT_KEY = KEY_PREFIX + "opt_out";
const PERSIST_DELAY_MILLIS = 1000;
// The parts of autocapture, by their name in the `autocapture` option.
const CAPTURES = {
  webVitals: captureWebVitals,
  pageViews: capturePageViews,
  clicks: captureClicks,
  errors: captureErrors,
  pageLoad: capturePageLoad,
  apiRequests: captureApiRequests,
};

/** Do Not Track or Global Privacy Control is on. */
export function isDoNotTrack(env) {
  const nav = env.navigator;
  const signal = nav.doNotTrack || env.doNotTrack;
  return ["1", "yes"].includes(signal) || nav.globalPrivacyControl === true;
}

function readContext(env, options) {
  return {
    app_version: options.appVersion || undefined,
    locale: env.navigator.language,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: env.screen.width + "x" + env.screen.height,
    user_agent: env.navigator.userAgent,
  };
}

function makeClient(env, vitals, api) {
  let options; // set by init()
  let storage, send, context, persona, isBlocked, initialReferrer;
  let identity, queue, delivery, experiments;
  let isStarted = false;
  let isSampledIn = false;
  let currentPath, referrerPath, persistTimer;
  const undos = [];
  // What autocapture, search and exposure call: the guarded public methods,
  // so a failure inside a page's event handler never throws into the page.
  const hooks = {
    _track: (event, payload) => api.track(event, payload),
    _navigate: (path) => path !== currentPath && api.page(),
  };

  function init(given) {
    if (options) return warnOnce("init() called twice; ignored");
    if (!env) return warnOnce("init() needs a browser window");
    options = readOptions(given);
    persona = options.persona;
    // Bound before autocapture wraps fetch, so our own requests are never captured.
    send = env.fetch.bind(env);
    isBlocked = options.respectDoNotTrack && isDoNotTrack(env);
    storage = openStorage(isBlocked ? "memory" : options.persistence, env);
    initialReferrer = sameOriginPath(env.document.referrer, env.location);
    context = readContext(env, options);
    experiments = createExperiments(options, storage, send, hooks);
    if (!isBlocked && storage._get(OPT_OUT_KEY) !== "1") start();
  }

  function start() {
    identity = createIdentity(storage);
    queue = createQueue(storage, options.maxQueueEvents);
    delivery = createDelivery(options, queue, send, env.navigator);
    const sample = hashBucket("lms-telemetry-sample", identity._anonymousId);
    isSampledIn = sample < options.sampleRate;
    isStarted = true;
    listenToPageLifecycle();
    if (isSampledIn) startAutocapture();
    if (queue._length > 0) delivery._schedule(0);
  }

  function listenToPageLifecycle() {
    const onHide = () => {
      persist();
      delivery._sendBeacons();
    };
    // On window, bubbling: runs after web-vitals' listeners on document have
    // queued their final values, so those go into the beacon too.
    undos.push(
      listen(env, "visibilitychange", () => {
        if (env.document.visibilityState === "hidden") onHide();
        else delivery._onVisible();
      }),
      listen(env, "pagehide", onHide),
      listen(env, "online", () => delivery._onOnline()),
    );
  }

  function startAutocapture() {
    for (const part in CAPTURES) {
      if (isCaptured(options, part)) {
        undos.push(CAPTURES[part](hooks, env, options, vitals));
      }
    }
  }

  /** Stop listening; with `isForgetting`, also erase everything stored. */
  function stop(isForgetting) {
    if (!isStarted) return;
    undos.splice(0).forEach((undo) => undo?.());
    delivery._stop();
    if (isForgetting) {
      clearTimeout(persistTimer);
      queue._clear();
      for (const key of storage._keys()) {
        if (key.startsWith(KEY_PREFIX) && key !== OPT_OUT_KEY) {
          storage._remove(key);
        }
      }
    } else persist();
    isStarted = false;
  }

  function persist() {
    clearTimeout(persistTimer);
    persistTimer = null;
    queue._persist();
    identity._persist();
  }

  function track(event, payload) {
    if (typeof event !== "string" || !EVENT_NAME.test(event)) {
      return warnOnce("track(): invalid event name ", event);
    }
    if (
      payload != null &&
      (typeof payload !== "object" || Array.isArray(payload))
    ) {
      return warnOnce("track(): payload is not an object: ", event);
    }
    if (!isStarted || !isSampledIn) return undefined;

    const envelope = makeEnvelope(event, sanitize(payload || {}));
    queue._push(envelope.event_id, JSON.stringify(envelope));
    delivery._onEnqueue();
    if (!persistTimer) persistTimer = setTimeout(persist, PERSIST_DELAY_MILLIS);
    return envelope.event_id;
  }

  function makeEnvelope(event, payload) {
    const nowMillis = Date.now();
    const sessionId = identity._sessionAt(nowMillis);
    return {
      event,
      timestamp: new Date(nowMillis).toISOString(),
      event_id: newUuid(),
      anonymous_id: identity._anonymousId,
      session_id: sessionId,
      persona,
      interface: options.interface,
      page: {
        path: env.location.pathname,
        referrer_path: referrerPath,
        title: env.document.title || undefined,
      },
      context,
      experiments: experiments._exposedVariants(sessionId),
      schema_version: SCHEMA_VERSION,
      payload,
    };
  }

  /** page_viewed for the current location; a new path makes the old one the referrer. */
  function page() {
    const path = env.location.pathname;
    if (currentPath === undefined) referrerPath = initialReferrer;
    else if (path !== currentPath) referrerPath = currentPath;
    currentPath = path;
    const title = env.document.title || undefined;
    return track("page_viewed", { path, title, referrer_path: referrerPath });
  }

  function setPersona(value) {
    if (PERSONAS.includes(value)) persona = value;
    else warnOnce("setPersona(): unknown persona ", value);
  }

  function optOut() {
    storage._set(OPT_OUT_KEY, "1");
    stop(true);
  }

  function optIn() {
    storage._remove(OPT_OUT_KEY);
    if (!isStarted && !isBlocked) start();
  }

  function flush() {
    if (!isStarted) return Promise.resolve();
    persist();
    return delivery._drain();
  }

  const methods = {
    init,
    track,
    page,
    setPersona,
    optOut,
    optIn,
    flush,
    trackSearchInput: (input, searchOptions) =>
      watchSearchInput(hooks, input, searchOptions),
    getVariant: (key) =>
      isStarted
        ? experiments._getVariant(key, identity, persona, options.interface)
        : null,
    experimentsReady: () => experiments._ready,
    shutdown: () => stop(false),
  };
  return [methods, () => options !== undefined];
}

// What a method returns when called before init(), besides a warning.
function resultBeforeInit(name) {
  if (name === "getVariant") return null;
  if (name === "flush" || name === "experimentsReady") return Promise.resolve();
}

/** The public API over a new client; every method is safe to call in any state. */
export function createClient(env, vitals = {}) {
  const api = {};
  const [methods, isInitialized] = makeClient(env, vitals, api);
  for (const name in methods) {
    api[name] = (...args) => {
      try {
        if (name === "init" || isInitialized()) return methods[name](...args);
        warnOnce(name + "() called before init(); ignored");
        return resultBeforeInit(name);
      } catch (error) {
        warnOnce(name + "() failed: ", error);
      }
    };
  }
  // The original sketch's entry point, kept working.
  api.sendTelemetry = api.track;
  return api;
}
