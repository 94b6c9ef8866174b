/**
 * api_request capture of XMLHttpRequest calls: what a same-origin call
 * records, a network failure as status 0, and the calls left out.
 */

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ORIGIN,
  advance,
  makeWindow,
  postedEvents,
  startClient,
  useFakeTimers,
} from "./fake_browser.js";

const FLUSH_INTERVAL_MILLIS = 5000;

const apiRequests = (win) =>
  postedEvents(win)
    .filter((event) => event.event === "api_request")
    .map((event) => event.payload);

/** A window whose client captures API calls and nothing else. */
function startCapturing(options = {}) {
  const win = makeWindow();
  const autocapture = { apiRequests: true, pageViews: false };
  const { client } = startClient({ autocapture, ...options }, win);
  return { client, win };
}

/** Open and send an XMLHttpRequest the way a page does. */
function sendXhr(win, method, url) {
  const request = new win.XMLHttpRequest();
  request.open(method, url);
  request.send();
  return request;
}

test("same-origin XHR GET records its route template, method, status and duration", async (t) => {
  useFakeTimers(t);
  const { win } = startCapturing();
  win.xhrReplies.push({ status: 200, delayMillis: 120 });

  const request = sendXhr(win, "GET", "/api/items/12345");
  await advance(120);
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.equal(request.status, 200); // the page still sees its answer
  assert.deepEqual(apiRequests(win), [
    {
      endpoint: "/api/items/{id}",
      method: "GET",
      status: 200,
      duration_ms: 120,
    },
  ]);
});

test("XHR method is upper-cased and an absolute same-origin URL counts", async (t) => {
  useFakeTimers(t);
  const { win } = startCapturing();
  win.xhrReplies.push({ status: 201, delayMillis: 40 });

  sendXhr(win, "post", ORIGIN + "/api/items/12345/holds?patron=9");
  await advance(40);
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.deepEqual(apiRequests(win), [
    {
      endpoint: "/api/items/{id}/holds",
      method: "POST",
      status: 201,
      duration_ms: 40,
    },
  ]);
});

test("XHR network failure is recorded as status 0", async (t) => {
  useFakeTimers(t);
  const { win } = startCapturing();
  win.xhrReplies.push({ status: 0, delayMillis: 300 });

  sendXhr(win, "GET", "/api/search");
  await advance(300);
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.deepEqual(apiRequests(win), [
    { endpoint: "/api/search", method: "GET", status: 0, duration_ms: 300 },
  ]);
});

test("cross-origin XHR is not recorded", async (t) => {
  useFakeTimers(t);
  const { client, win } = startCapturing();

  sendXhr(win, "GET", "https://cdn.example/api/items/12345");
  sendXhr(win, "GET", "http://opac.example/api/items/12345"); // other scheme
  await advance(10);
  client.track("menu_clicked", { item: "after" }); // so a batch is posted
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.equal(win.xhrRequests.length, 2); // both calls did go out
  assert.equal(postedEvents(win).length, 1);
  assert.deepEqual(apiRequests(win), []);
});

test("XHR to the client's own endpoints is not recorded", async (t) => {
  useFakeTimers(t);
  const { client, win } = startCapturing();

  sendXhr(win, "POST", "/api/telemetry");
  sendXhr(win, "POST", ORIGIN + "/api/telemetry?key=wk_test");
  sendXhr(win, "GET", "/api/experiments");
  await advance(10);
  client.track("menu_clicked", { item: "after" });
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.equal(win.xhrRequests.length, 3);
  assert.equal(postedEvents(win).length, 1);
  assert.deepEqual(apiRequests(win), []);
});

test("a reused XHR object records each of its calls once", async (t) => {
  useFakeTimers(t);
  const { win } = startCapturing();
  win.xhrReplies.push(
    { status: 200, delayMillis: 10 },
    { status: 404, delayMillis: 20 },
  );

  const request = sendXhr(win, "GET", "/api/items/1");
  await advance(10);
  request.open("DELETE", "/api/loans/2");
  request.send();
  await advance(20);
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.deepEqual(apiRequests(win), [
    {
      endpoint: "/api/items/{id}",
      method: "GET",
      status: 200,
      duration_ms: 10,
    },
    {
      endpoint: "/api/loans/{id}",
      method: "DELETE",
      status: 404,
      duration_ms: 20,
    },
  ]);
});

test("after shutdown XHR calls are no longer recorded", async (t) => {
  useFakeTimers(t);
  const { client, win } = startCapturing();
  client.shutdown();

  sendXhr(win, "GET", "/api/items/12345");
  await advance(FLUSH_INTERVAL_MILLIS);

  assert.equal(win.xhrRequests.length, 1);
  assert.deepEqual(apiRequests(win), []);
});
