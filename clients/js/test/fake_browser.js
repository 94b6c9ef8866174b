/**
 * A stand-in for the parts of a browser window the client touches, recording
 * what would have gone over the network. No network, no DOM library: the
 * fake fetch answers from a script of responses the test sets.
 */

import { mock } from "node:test";
import { createClient } from "../src/client.js";
import { resetWarnings } from "../src/util.js";

export const ORIGIN = "https://opac.example";
export const START_MILLIS = Date.parse("2024-05-06T10:00:00.000Z");

/** localStorage over a Map; shared between "page loads" to model a reload. */
export class FakeStorage {
  constructor() {
    this.map = new Map();
  }
  get length() {
    return this.map.size;
  }
  key(index) {
    return Array.from(this.map.keys())[index] ?? null;
  }
  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }
  setItem(key, value) {
    this.map.set(key, String(value));
  }
  removeItem(key) {
    this.map.delete(key);
  }
}

/** A response the fake fetch returns; `status` 0 means a network failure. */
function answer(reply) {
  if (reply.status === 0)
    return Promise.reject(new TypeError("Failed to fetch"));
  const body = reply.body ?? { accepted: 0, duplicates: 0, rejected: [] };
  return Promise.resolve(
    new Response(JSON.stringify(body), {
      status: reply.status,
      headers: reply.headers,
    }),
  );
}

/**
 * An XMLHttpRequest class for one window: each send() takes the next of
 * `win.xhrReplies` (default 200), records itself in `win.xhrRequests`, and
 * after the reply's `delayMillis` on the fake clock fires load (or error, for
 * status 0, a network failure) and then loadend, as a browser does.
 */
function makeXhrClass(win) {
  return class FakeXMLHttpRequest extends EventTarget {
    status = 0;
    readyState = 0;
    open(method, url) {
      Object.assign(this, { method, url: String(url), readyState: 1 });
    }
    send(body) {
      const reply = win.xhrReplies.shift() || { status: 200 };
      win.xhrRequests.push({ method: this.method, url: this.url, body });
      setTimeout(() => {
        Object.assign(this, { status: reply.status, readyState: 4 });
        this.dispatchEvent(new Event(reply.status === 0 ? "error" : "load"));
        this.dispatchEvent(new Event("loadend"));
      }, reply.delayMillis ?? 0);
    }
  };
}

export function makeWindow({
  storage = new FakeStorage(),
  path = "/",
  referrer = "",
} = {}) {
  const win = new EventTarget();
  win.requests = [];
  win.beacons = [];
  win.replies = []; // consumed in order; default is 202
  win.beaconAccepts = true;
  win.xhrRequests = [];
  win.xhrReplies = []; // consumed in order; default is 200
  win.XMLHttpRequest = makeXhrClass(win);
  win.location = { pathname: path, origin: ORIGIN, href: ORIGIN + path };
  const moveTo = (url) => {
    const parsed = new URL(url, win.location.href);
    Object.assign(win.location, {
      pathname: parsed.pathname,
      href: parsed.href,
    });
  };
  win.history = {
    pushState: (state, title, url) => moveTo(url),
    replaceState: (state, title, url) => moveTo(url),
  };
  win.document = new EventTarget();
  Object.assign(win.document, {
    title: "Catalogue",
    referrer,
    visibilityState: "visible",
    readyState: "complete",
  });
  win.navigator = {
    userAgent: "Mozilla/5.0 (X11; Linux x86_64) Test",
    language: "en-GB",
    onLine: true,
    sendBeacon: (url, body) => {
      win.beacons.push({ url, body: JSON.parse(body) });
      return win.beaconAccepts;
    },
  };
  win.screen = { width: 1280, height: 800 };
  win.localStorage = storage;
  win.crypto = globalThis.crypto;
  win.performance = { now: () => Date.now(), getEntriesByType: () => [] };
  win.fetch = (url, init = {}) => {
    const request = { url: String(url), init, at: Date.now() - START_MILLIS };
    if (typeof init.body === "string") request.body = JSON.parse(init.body);
    win.requests.push(request);
    if (String(url).startsWith("/api/experiments")) {
      return answer({
        status: 200,
        body: { experiments: win.experiments || [] },
      });
    }
    return answer(win.replies.shift() || { status: 202 });
  };
  return win;
}

/** Fetches to the ingestion endpoint (not beacons, not other calls). */
export function telemetryRequests(win) {
  return win.requests.filter((request) => request.url === "/api/telemetry");
}

export function postedBatches(win) {
  return telemetryRequests(win).map((request) => request.body);
}

export function postedEvents(win) {
  return postedBatches(win).flatMap((body) => body.batch);
}

/** Let pending promise callbacks (fake fetch answers) run. */
export async function settle() {
  for (let i = 0; i < 5; i++)
    await new Promise((resolve) => setImmediate(resolve));
}

/** Advance the fake clock and let the requests it triggers complete. */
export async function advance(millis) {
  mock.timers.tick(millis);
  await settle();
}

export function useFakeTimers(t) {
  mock.timers.enable({ apis: ["setTimeout", "Date"], now: START_MILLIS });
  resetWarnings();
  t.after(() => mock.timers.reset());
}

/** A started client on a fake window; `options` go to init. */
export function startClient(options = {}, win = makeWindow()) {
  const client = createClient(win, {});
  client.init(
    Object.assign({ writeKey: "wk_test", autocapture: false }, options),
  );
  return { client, win };
}
