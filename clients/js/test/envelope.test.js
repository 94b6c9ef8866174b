import assert from "node:assert/strict";
import { mock, test } from "node:test";
import {
  START_MILLIS,
  advance,
  makeWindow,
  postedBatches,
  postedEvents,
  startClient,
  useFakeTimers,
} from "./fake_browser.js";
import { createClient } from "../src/client.js";

const UUID =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test("track builds the full envelope when the event is created", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({
    persona: "patron",
    interface: "opac",
    appVersion: "23.11.2",
  });
  const eventId = client.track("item_viewed", {
    item_id: "b1234",
    position: 2,
  });
  await advance(5000);

  const [event] = postedEvents(win);
  assert.equal(event.event_id, eventId);
  assert.match(event.event_id, UUID);
  assert.match(event.anonymous_id, UUID);
  assert.match(event.session_id, UUID);
  assert.equal(event.timestamp, new Date(START_MILLIS).toISOString());
  assert.deepEqual(
    { ...event, event_id: 0, anonymous_id: 0, session_id: 0 },
    {
      event: "item_viewed",
      timestamp: "2024-05-06T10:00:00.000Z",
      event_id: 0,
      anonymous_id: 0,
      session_id: 0,
      persona: "patron",
      interface: "opac",
      page: { path: "/", title: "Catalogue" },
      context: {
        app_version: "23.11.2",
        locale: "en-GB",
        timezone: Intl.DateTimeFormat().resolvedOptions().timeZone,
        screen: "1280x800",
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) Test",
      },
      schema_version: "1-0-0",
      payload: { item_id: "b1234", position: 2 },
    },
  );
});

test("sent_at is the time of sending, not of the event", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  client.track("feature_used", { feature: "bulk_checkout" });
  await advance(5000);

  const [batch] = postedBatches(win);
  assert.equal(batch.sent_at, new Date(START_MILLIS + 5000).toISOString());
  assert.equal(batch.batch[0].timestamp, new Date(START_MILLIS).toISOString());
});

test("every event gets its own id", (t) => {
  useFakeTimers(t);
  const { client } = startClient();
  const ids = new Set();
  for (let i = 0; i < 500; i++)
    ids.add(client.track("menu_clicked", { item: "x" }));
  assert.equal(ids.size, 500);
});

test("write key goes in the X-Telemetry-Key header of a fetch", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ writeKey: "wk_abc" });
  client.track("tab_switched", { tab: "loans" });
  await advance(5000);

  const [request] = win.requests.filter((r) => r.url === "/api/telemetry");
  assert.equal(request.init.headers["X-Telemetry-Key"], "wk_abc");
  assert.equal(request.init.headers["Content-Type"], "application/json");
  assert.equal(request.init.method, "POST");
  assert.equal(request.init.credentials, "omit");
});

test("self-referencing and deeply nested payloads are cut with a marker", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  const loop = { name: "loop" };
  loop.self = loop;
  let deep = { leaf: true };
  for (let i = 0; i < 12; i++) deep = { next: deep };
  client.track("feature_used", {
    feature: "x",
    loop,
    deep,
    when: new Date(0),
    ratio: NaN,
    skip: () => 1,
  });
  await advance(5000);

  const payload = postedEvents(win)[0].payload;
  assert.deepEqual(payload.loop, { name: "loop", self: "[circular]" });
  let level = payload.deep;
  let depth = 1;
  while (typeof level === "object") {
    level = level.next;
    depth += 1;
  }
  assert.equal(level, "[too deep]");
  assert.equal(depth, 8);
  assert.equal(payload.when, "1970-01-01T00:00:00.000Z");
  assert.equal(payload.ratio, null);
  assert.equal("skip" in payload, false);
});

test("invalid calls warn once and never throw", async (t) => {
  useFakeTimers(t);
  const warn = mock.method(console, "warn", () => {});
  t.after(() => warn.mock.restore());
  const early = createClient(makeWindow(), {});
  assert.equal(early.track("search_submitted", {}), undefined);
  const { client, win } = startClient();

  assert.equal(client.track("Bad Name!", {}), undefined);
  assert.equal(client.track("also bad", {}), undefined);
  assert.equal(client.track("page_viewed", "not an object"), undefined);
  assert.equal(client.track(42), undefined);
  client.setPersona("wizard");
  client.init({});
  await advance(5000);

  assert.equal(postedEvents(win).length, 0);
  const messages = warn.mock.calls.map((call) => call.arguments[0]);
  assert.equal(messages.filter((m) => m.includes("event name")).length, 1);
  assert.equal(messages.filter((m) => m.includes("before init")).length, 1);
  assert.equal(messages.filter((m) => m.includes("not an object")).length, 1);
  assert.equal(messages.filter((m) => m.includes("setPersona")).length, 1);
  assert.equal(messages.filter((m) => m.includes("twice")).length, 1);
});

test("unknown or invalid options are named in a warning and defaulted", async (t) => {
  useFakeTimers(t);
  const warn = mock.method(console, "warn", () => {});
  t.after(() => warn.mock.restore());
  const { client, win } = startClient({
    maxBatchEvents: "many",
    colour: "red",
  });
  for (let i = 0; i < 50; i++) client.track("menu_clicked", { item: "x" });
  await advance(0);

  assert.equal(postedBatches(win)[0].batch.length, 50);
  const messages = warn.mock.calls.map((call) => call.arguments[0]).join("\n");
  assert.match(messages, /option maxBatchEvents/);
  assert.match(messages, /option colour/);
});

test("sendTelemetry from the original sketch is an alias of track", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  client.sendTelemetry("search_input", { query: "harry potter" });
  await advance(5000);
  const [event] = postedEvents(win);
  assert.equal(event.event, "search_input");
  assert.deepEqual(event.payload, { query: "harry potter" });
});

test("setPersona changes the persona of later events", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ persona: "patron" });
  client.track("menu_clicked", { item: "a" });
  client.setPersona("librarian");
  client.track("menu_clicked", { item: "b" });
  await advance(5000);
  assert.deepEqual(
    postedEvents(win).map((e) => e.persona),
    ["patron", "librarian"],
  );
});

test("byte counts are UTF-8 lengths", async () => {
  const { utf8Length, truncate } = await import("../src/util.js");
  for (const text of ["plain", "Åsa Öberg", "\u{1F4DA} books", "中文"]) {
    assert.equal(utf8Length(text), Buffer.byteLength(text));
  }
  assert.equal(truncate("ab\u{1F4DA}cd", 3), "ab\u2026");
  assert.equal(truncate("ab\u{1F4DA}", 3), "ab\u{1F4DA}");
});
