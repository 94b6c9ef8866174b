import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_HTTP_ATTEMPTS, parseRetryAfter } from "../src/delivery.js";
import {
  advance,
  postedBatches,
  postedEvents,
  startClient,
  telemetryRequests,
  useFakeTimers,
} from "./fake_browser.js";

const ids = (events) => events.map((event) => event.event_id);

function trackMany(client, count, event = "menu_clicked") {
  const eventIds = [];
  for (let i = 0; i < count; i++)
    eventIds.push(client.track(event, { item: "m" + i }));
  return eventIds;
}

test("fewer than 50 events wait for the interval", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  const sent = trackMany(client, 49);
  await advance(4999);
  assert.equal(postedBatches(win).length, 0);
  await advance(1);
  assert.deepEqual(
    postedBatches(win).map((b) => b.batch.length),
    [49],
  );
  assert.deepEqual(ids(postedEvents(win)), sent);
});

test("the 50th event flushes at once, in batches of at most 50", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  const sent = trackMany(client, 60);
  await advance(0);
  assert.deepEqual(
    postedBatches(win).map((b) => b.batch.length),
    [50, 10],
  );
  assert.deepEqual(ids(postedEvents(win)), sent);
});

test("a batch never exceeds maxBatchBytes", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ maxBatchBytes: 4096 });
  for (let i = 0; i < 20; i++)
    client.track("search_input", { query: "x".repeat(500) });
  await advance(5000);

  const bodies = telemetryRequests(win).map((r) => r.init.body);
  assert.ok(bodies.length > 1);
  for (const body of bodies) {
    // The wrapper (sent_at, batch) comes on top of the events' bytes.
    assert.ok(Buffer.byteLength(body) <= 4096 + 100, Buffer.byteLength(body));
  }
  assert.equal(postedEvents(win).length, 20);
});

test("a network error retries the same events with growing backoff", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  win.replies.push({ status: 0 }, { status: 0 }, { status: 202 });
  const sent = trackMany(client, 3);
  await advance(5000);
  assert.equal(telemetryRequests(win).length, 1);

  await advance(499); // first backoff lies in [500, 1000) ms
  assert.equal(telemetryRequests(win).length, 1);
  await advance(501);
  assert.equal(telemetryRequests(win).length, 2);
  await advance(999); // second backoff lies in [1000, 2000) ms
  assert.equal(telemetryRequests(win).length, 2);
  await advance(1001);
  assert.equal(telemetryRequests(win).length, 3);

  for (const batch of postedBatches(win))
    assert.deepEqual(ids(batch.batch), sent);
  await advance(60_000);
  assert.equal(telemetryRequests(win).length, 3);
});

test("429 and 503 wait as long as Retry-After says", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  win.replies.push(
    { status: 503, headers: { "Retry-After": "7" } },
    { status: 429, headers: { "Retry-After": "20" } },
  );
  client.track("menu_clicked", { item: "a" });
  await advance(5000);
  await advance(6999);
  assert.equal(telemetryRequests(win).length, 1);
  await advance(1);
  assert.equal(telemetryRequests(win).length, 2);
  await advance(19_999);
  assert.equal(telemetryRequests(win).length, 2);
  await advance(1);
  assert.equal(telemetryRequests(win).length, 3);
  assert.equal(postedBatches(win)[2].batch.length, 1);
});

test("Retry-After is read as seconds or as an HTTP date", () => {
  const now = Date.parse("2024-05-06T10:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("Mon, 06 May 2024 10:00:30 GMT", now), 30_000);
  assert.equal(parseRetryAfter("Mon, 06 May 2024 09:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter(null, now), null);
});

test("413 halves the batch until the server takes it", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  win.replies.push({ status: 413 }, { status: 413 });
  const sent = trackMany(client, 50);
  await advance(0);

  const sizes = telemetryRequests(win).map((r) => r.body.batch.length);
  // The learned limit (13) holds for the rest of the page.
  assert.deepEqual(sizes, [50, 25, 13, 13, 13, 11]);
  const delivered = telemetryRequests(win)
    .slice(2)
    .flatMap((r) => r.body.batch);
  assert.deepEqual(ids(delivered), sent);
});

test("a single event too large is dropped and reported in the next batch", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  win.replies.push({ status: 413 });
  client.track("search_input", { query: "huge" });
  await advance(5000);
  client.track("menu_clicked", { item: "next" });
  await advance(5000);

  const [, report] = postedBatches(win);
  assert.deepEqual(report.batch[0].context.dropped, { too_large: 1 });
  client.track("menu_clicked", { item: "after" });
  await advance(5000);
  assert.equal(postedBatches(win)[2].batch[0].context.dropped, undefined);
});

test("another 4xx drops the batch and counts it by status", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  win.replies.push({ status: 400 });
  trackMany(client, 3);
  await advance(5000);
  client.track("menu_clicked", { item: "next" });
  await advance(5000);

  const batches = postedBatches(win);
  assert.equal(batches.length, 2);
  assert.deepEqual(batches[1].batch[0].context.dropped, { http_400: 3 });
  assert.equal(batches[1].batch.length, 1);
});

test("a batch refused with 5xx every time is dropped after the last attempt", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  for (let i = 0; i < MAX_HTTP_ATTEMPTS; i++) {
    win.replies.push({ status: 500, headers: { "Retry-After": "1" } });
  }
  client.track("menu_clicked", { item: "doomed" });
  await advance(5000);
  for (let i = 0; i < MAX_HTTP_ATTEMPTS; i++) await advance(1000);
  assert.equal(telemetryRequests(win).length, MAX_HTTP_ATTEMPTS);

  client.track("menu_clicked", { item: "next" });
  await advance(5000);
  const last = postedBatches(win).at(-1);
  assert.deepEqual(
    last.batch.map((e) => e.payload.item),
    ["next"],
  );
  assert.deepEqual(last.batch[0].context.dropped, { retries_exhausted: 1 });
});

test("coming back online retries at once instead of waiting", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  for (let i = 0; i < 8; i++) win.replies.push({ status: 0 });
  client.track("menu_clicked", { item: "offline" });
  for (let i = 0; i < 8; i++) await advance(i === 0 ? 5000 : 2 ** i * 1000);
  const failed = telemetryRequests(win).length;

  win.dispatchEvent(new Event("online"));
  await advance(0);
  assert.equal(telemetryRequests(win).length, failed + 1);
  assert.equal(postedEvents(win).at(-1).payload.item, "offline");
  await advance(600_000);
  assert.equal(telemetryRequests(win).length, failed + 1);
});

test("flush sends at once and resolves when the queue is empty", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  trackMany(client, 3);
  const flushed = client.flush();
  await advance(0);
  await flushed;
  assert.equal(postedEvents(win).length, 3);
});
