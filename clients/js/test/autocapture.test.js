import assert from "node:assert/strict";
import { test } from "node:test";
import { routeTemplate } from "../src/autocapture.js";
import {
  ORIGIN,
  advance,
  makeWindow,
  postedEvents,
  settle,
  startClient,
  useFakeTimers,
} from "./fake_browser.js";

const named = (win, name) => postedEvents(win).filter((e) => e.event === name);

function errorEvent(fields) {
  return Object.assign(new Event("error"), fields);
}

test("page views cover the first page and pushState, replaceState, popstate", async (t) => {
  useFakeTimers(t);
  const win = makeWindow({ path: "/search", referrer: ORIGIN + "/home?q=1" });
  const { client } = startClient({ autocapture: { pageViews: true } }, win);
  win.history.pushState({}, "", "/item/42");
  win.history.replaceState({}, "", "/item/42?tab=holds"); // same path: no view
  win.history.replaceState({}, "", "/item/42/holds");
  win.location.pathname = "/search";
  win.dispatchEvent(new Event("popstate"));
  await advance(5000);
  client.shutdown();
  win.history.pushState({}, "", "/after-shutdown");
  await advance(5000);

  const views = named(win, "page_viewed").map((e) => [
    e.payload.path,
    e.payload.referrer_path,
    e.page.referrer_path,
  ]);
  assert.deepEqual(views, [
    ["/search", "/home", "/home"],
    ["/item/42", "/search", "/search"],
    ["/item/42/holds", "/item/42", "/item/42"],
    ["/search", "/item/42/holds", "/item/42/holds"],
  ]);
});

test("a referrer from another site is not recorded", async (t) => {
  useFakeTimers(t);
  const win = makeWindow({ referrer: "https://search.example/?q=secret" });
  startClient({ autocapture: { pageViews: true } }, win);
  await advance(5000);
  assert.equal(named(win, "page_viewed")[0].payload.referrer_path, undefined);
});

function markedElement(attributes) {
  const element = {
    getAttribute: (name) => attributes[name] ?? null,
    closest: (selector) =>
      selector.split(",").some((s) => s.slice(1, -1) in attributes)
        ? element
        : null,
  };
  return element;
}

test("clicks on marked tabs and menus become events; others do not", async (t) => {
  useFakeTimers(t);
  const { win } = startClient({
    autocapture: { clicks: true, pageViews: false },
  });
  const click = (target) => {
    const event = new Event("click");
    Object.defineProperty(event, "target", { value: target });
    win.document.dispatchEvent(event);
  };
  click(markedElement({ "data-telemetry-tab": "loans" }));
  click(markedElement({ "data-telemetry-menu": "renew-all" }));
  click(markedElement({}));
  click(null);
  await advance(5000);

  const events = postedEvents(win).map((e) => [e.event, e.payload]);
  assert.deepEqual(events, [
    ["tab_switched", { tab: "loans" }],
    ["menu_clicked", { item: "renew-all" }],
  ]);
});

test("JS errors and rejections are captured, at most N times each", async (t) => {
  useFakeTimers(t);
  const { win } = startClient({
    autocapture: { errors: true, pageViews: false },
    maxErrorsPerPage: 2,
  });
  const error = new TypeError("x is undefined");
  for (let i = 0; i < 4; i++) {
    win.dispatchEvent(
      errorEvent({
        message: "TypeError: x is undefined",
        error,
        filename: ORIGIN + "/app.js?v=3#top",
        lineno: 10,
        colno: 5,
      }),
    );
  }
  win.dispatchEvent(errorEvent({})); // a failed image: no message
  win.dispatchEvent(
    Object.assign(new Event("unhandledrejection"), {
      reason: new Error("nope"),
    }),
  );
  win.dispatchEvent(
    Object.assign(new Event("unhandledrejection"), { reason: "plain text" }),
  );
  await advance(5000);

  const errors = named(win, "js_error").map((e) => e.payload);
  assert.equal(errors.length, 4);
  assert.deepEqual(
    { ...errors[0], stack: undefined },
    {
      kind: "error",
      message: "x is undefined",
      source: ORIGIN + "/app.js",
      line: 10,
      column: 5,
      stack: undefined,
    },
  );
  assert.match(errors[0].stack, /TypeError: x is undefined/);
  assert.equal(errors[2].kind, "unhandledrejection");
  assert.equal(errors[2].message, "nope");
  assert.equal(errors[3].message, "plain text");
});

test("long error messages are cut on code points, never inside a pair", async (t) => {
  useFakeTimers(t);
  const { win } = startClient({
    autocapture: { errors: true, pageViews: false },
  });
  const message = "a" + "\u{1F4DA}".repeat(600); // books emoji: 2 code units each
  win.dispatchEvent(errorEvent({ message, error: null }));
  await advance(5000);

  const cut = named(win, "js_error")[0].payload.message;
  assert.equal(Array.from(cut).length, 500);
  assert.equal(cut.at(-1), "\u2026");
  assert.equal(cut.slice(0, -1), "a" + "\u{1F4DA}".repeat(498));
  assert.equal(/[\ud800-\udbff](?![\udc00-\udfff])/.test(cut), false);
});

test("page_load reports Navigation Timing once the page has loaded", async (t) => {
  useFakeTimers(t);
  const win = makeWindow({ path: "/home" });
  win.document.readyState = "loading";
  win.performance.getEntriesByType = (type) =>
    type === "navigation"
      ? [
          {
            responseStart: 120.44,
            domContentLoadedEventEnd: 480.06,
            loadEventEnd: 910.5,
          },
        ]
      : [];
  startClient({ autocapture: { pageLoad: true, pageViews: false } }, win);
  await advance(10);
  assert.equal(named(win, "page_load").length, 0);
  win.dispatchEvent(new Event("load"));
  await advance(0);
  await advance(5000);

  assert.deepEqual(
    named(win, "page_load").map((e) => e.payload),
    [
      {
        path: "/home",
        ttfb_ms: 120.4,
        dom_content_loaded_ms: 480.1,
        load_ms: 910.5,
      },
    ],
  );
});

test("Web Vitals arrive as web_vital events", async (t) => {
  useFakeTimers(t);
  const callbacks = {};
  const vitals = {};
  for (const name of ["onLCP", "onINP", "onCLS", "onFCP", "onTTFB"]) {
    vitals[name] = (report) => (callbacks[name] = report);
  }
  const win = makeWindow();
  const { createClient } = await import("../src/client.js");
  const client = createClient(win, vitals);
  client.init({ autocapture: { webVitals: true, pageViews: false } });
  callbacks.onLCP({ name: "LCP", value: 1234.567 });
  callbacks.onCLS({ name: "CLS", value: 0.123456 });
  await advance(5000);

  assert.deepEqual(
    named(win, "web_vital").map((e) => e.payload),
    [
      { name: "LCP", value: 1234.6 },
      { name: "CLS", value: 0.1235 },
    ],
  );
});

test("same-origin fetch calls become api_request events with route templates", async (t) => {
  useFakeTimers(t);
  const win = makeWindow();
  const { client } = startClient(
    { autocapture: { apiRequests: true, pageViews: false } },
    win,
  );
  win.replies.push(
    { status: 200 },
    { status: 404 },
    { status: 0 },
    { status: 200 },
  );
  await win
    .fetch("/api/items/12345/holds?patron=9", { method: "post" })
    .catch(() => {});
  await win
    .fetch(new Request(ORIGIN + "/api/isbn/978-3-16-148410-0"))
    .catch(() => {});
  await win.fetch("/api/search").catch(() => {});
  await win.fetch("https://cdn.example/api/thing/1").catch(() => {});
  await win.fetch("/api/experiments");
  client.track("menu_clicked", { item: "a" });
  await advance(5000);

  const calls = named(win, "api_request").map((e) => {
    const { duration_ms, ...rest } = e.payload;
    assert.equal(typeof duration_ms, "number");
    return rest;
  });
  assert.deepEqual(calls, [
    { endpoint: "/api/items/{id}/holds", method: "POST", status: 200 },
    { endpoint: "/api/isbn/{id}", method: "GET", status: 404 },
    { endpoint: "/api/search", method: "GET", status: 0 },
  ]);
  // The client's own posts are never captured.
  await settle();
  assert.equal(named(win, "api_request").length, 3);
});

test("route templates replace numbers, ids and hashes but keep words", () => {
  const cases = {
    "/api/items/12345": "/api/items/{id}",
    "/api/v2/patrons/0f8fad5b-d9cb-469f-a165-70867728950e/loans":
      "/api/v2/patrons/{id}/loans",
    "/api/biblio/9780140449136/items": "/api/biblio/{id}/items",
    "/api/covers/5d41402abc4b2a76": "/api/covers/{id}",
    "/api/sessions/AbCdEf1234567890XyZ": "/api/sessions/{id}",
    "/api/search/suggestions": "/api/search/suggestions",
    "/api/v1/holds": "/api/v1/holds",
  };
  for (const [path, template] of Object.entries(cases)) {
    assert.equal(routeTemplate(path), template, path);
  }
});
