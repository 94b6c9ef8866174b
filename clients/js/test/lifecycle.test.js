import assert from "node:assert/strict";
import { test } from "node:test";
import {
  FakeStorage,
  advance,
  makeWindow,
  postedEvents,
  startClient,
  telemetryRequests,
  useFakeTimers,
} from "./fake_browser.js";

const queuedEvents = (storage) =>
  Array.from(storage.map.entries())
    .filter(([key]) => key.startsWith("lmst:queue:"))
    .flatMap(([, text]) => JSON.parse(text));

function hide(win) {
  win.document.visibilityState = "hidden";
  win.dispatchEvent(new Event("visibilitychange"));
}

test("events survive a reload and are sent by the next page", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const first = startClient({}, makeWindow({ storage }));
  first.win.replies.push({ status: 0 });
  const sent = [
    first.client.track("menu_clicked", { item: "a" }),
    first.client.track("menu_clicked", { item: "b" }),
  ];
  await advance(5000); // fails: offline
  first.client.shutdown();
  assert.deepEqual(
    queuedEvents(storage).map((e) => e.event_id),
    sent,
  );

  const second = startClient({}, makeWindow({ storage }));
  await advance(0);
  assert.deepEqual(
    postedEvents(second.win).map((e) => e.event_id),
    sent,
  );
  await advance(1000);
  assert.deepEqual(queuedEvents(storage), []);
});

test("the queue is written to storage within a second of an event", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const { client } = startClient({}, makeWindow({ storage }));
  const eventId = client.track("menu_clicked", { item: "a" });
  assert.deepEqual(queuedEvents(storage), []);
  await advance(1000);
  assert.deepEqual(
    queuedEvents(storage).map((e) => e.event_id),
    [eventId],
  );
});

test("two tabs keep separate queues and never overwrite each other", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const tabA = startClient({}, makeWindow({ storage }));
  const tabB = startClient({}, makeWindow({ storage }));
  tabA.win.replies.push({ status: 0 });
  tabB.win.replies.push({ status: 0 });
  const fromA = tabA.client.track("menu_clicked", { item: "a" });
  const fromB = tabB.client.track("menu_clicked", { item: "b" });
  await advance(5000);
  tabA.client.shutdown();
  tabB.client.shutdown();

  const ids = queuedEvents(storage).map((e) => e.event_id);
  assert.deepEqual(ids.sort(), [fromA, fromB].sort());
});

test("over maxQueueEvents the oldest are dropped and the drop reported", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({
    maxQueueEvents: 3,
    maxBatchEvents: 10,
  });
  for (let i = 0; i < 5; i++) client.track("menu_clicked", { item: "m" + i });
  await advance(5000);

  const events = postedEvents(win);
  assert.deepEqual(
    events.map((e) => e.payload.item),
    ["m2", "m3", "m4"],
  );
  assert.deepEqual(events[0].context.dropped, { queue_full: 2 });
  assert.equal(events[1].context.dropped, undefined);
});

test("memory persistence writes nothing to localStorage", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const { client, win } = startClient(
    { persistence: "memory" },
    makeWindow({ storage }),
  );
  win.replies.push({ status: 0 });
  client.track("menu_clicked", { item: "a" });
  await advance(10_000);
  client.shutdown();
  assert.equal(storage.length, 0);
});

test("page close hands the queue to sendBeacon with the key in the URL", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const { client, win } = startClient(
    { writeKey: "wk 1" },
    makeWindow({ storage }),
  );
  const sent = [
    client.track("menu_clicked", { item: "a" }),
    client.track("menu_clicked", { item: "b" }),
  ];
  win.dispatchEvent(new Event("pagehide"));

  assert.equal(win.beacons.length, 1);
  assert.equal(win.beacons[0].url, "/api/telemetry?key=wk%201");
  assert.deepEqual(
    win.beacons[0].body.batch.map((e) => e.event_id),
    sent,
  );
  // A beacon cannot report failure: the events stay queued for the next page.
  assert.deepEqual(
    queuedEvents(storage).map((e) => e.event_id),
    sent,
  );
});

test("hidden then pagehide sends each event in one beacon only", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  client.track("menu_clicked", { item: "a" });
  hide(win);
  client.track("web_vital", { name: "CLS", value: 0.01 });
  win.dispatchEvent(new Event("pagehide"));

  const beaconed = win.beacons.flatMap((b) => b.body.batch.map((e) => e.event));
  assert.deepEqual(beaconed, ["menu_clicked", "web_vital"]);
  await advance(60_000); // hidden: beaconed events are not fetched again
  assert.equal(telemetryRequests(win).length, 0);
});

test("beacons stay under 60 KiB each", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ maxBatchEvents: 500 });
  for (let i = 0; i < 300; i++)
    client.track("search_input", { query: "q".repeat(400) });
  win.dispatchEvent(new Event("pagehide"));

  assert.ok(win.beacons.length >= 2);
  for (const beacon of win.beacons) {
    assert.ok(Buffer.byteLength(JSON.stringify(beacon.body)) < 60 * 1024);
  }
  assert.equal(win.beacons.flatMap((b) => b.body.batch).length, 300);
});

test("a refused beacon falls back to fetch with keepalive as text/plain", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ writeKey: "wk" });
  win.beaconAccepts = false;
  const eventId = client.track("menu_clicked", { item: "a" });
  win.dispatchEvent(new Event("pagehide"));

  const [request] = win.requests.filter((r) => r.init.keepalive);
  assert.equal(request.url, "/api/telemetry?key=wk");
  assert.equal(request.init.headers["Content-Type"], "text/plain");
  assert.deepEqual(
    request.body.batch.map((e) => e.event_id),
    [eventId],
  );
});

test("visible again: beaconed events are sent once more by fetch, then forgotten", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const { client, win } = startClient({}, makeWindow({ storage }));
  const eventId = client.track("menu_clicked", { item: "a" });
  hide(win);
  win.document.visibilityState = "visible";
  win.dispatchEvent(new Event("visibilitychange"));
  await advance(0);

  assert.deepEqual(
    postedEvents(win).map((e) => e.event_id),
    [eventId],
  );
  assert.deepEqual(queuedEvents(storage), []);
});

test("the session is renewed after 30 minutes without activity", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const { client, win } = startClient({}, makeWindow({ storage }));
  client.track("menu_clicked", { item: "a" });
  await advance(29 * 60 * 1000);
  client.track("menu_clicked", { item: "b" });
  await advance(30 * 60 * 1000 + 1);
  client.track("menu_clicked", { item: "c" });
  await advance(5000);

  const [a, b, c] = postedEvents(win);
  assert.equal(a.session_id, b.session_id);
  assert.notEqual(b.session_id, c.session_id);
  assert.equal(a.anonymous_id, c.anonymous_id);
});

test("anonymous_id and session carry over a reload", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const first = startClient({}, makeWindow({ storage }));
  first.client.track("menu_clicked", { item: "a" });
  await advance(5000);
  first.win.dispatchEvent(new Event("pagehide"));
  const second = startClient({}, makeWindow({ storage }));
  second.client.track("menu_clicked", { item: "b" });
  await advance(5000);

  const [a] = postedEvents(first.win);
  const [b] = postedEvents(second.win);
  assert.equal(a.anonymous_id, b.anonymous_id);
  assert.equal(a.session_id, b.session_id);
  assert.equal(
    Array.from(storage.map.keys()).some((key) => /cookie/i.test(key)),
    false,
  );
});

test("drop counts not yet reported survive a reload", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const first = startClient({ maxQueueEvents: 2 }, makeWindow({ storage }));
  first.win.replies.push({ status: 0 });
  for (let i = 0; i < 5; i++) first.client.track("menu_clicked", { item: "m" + i });
  await advance(5000);
  first.client.shutdown();

  const second = startClient({}, makeWindow({ storage }));
  await advance(0);
  const events = postedEvents(second.win);
  assert.deepEqual(events.map((e) => e.payload.item), ["m3", "m4"]);
  assert.deepEqual(events[0].context.dropped, { queue_full: 3 });
});
