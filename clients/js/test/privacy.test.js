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

test("Do Not Track is honoured when respectDoNotTrack is set", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const win = makeWindow({ storage });
  win.navigator.doNotTrack = "1";
  const { client } = startClient({ respectDoNotTrack: true }, win);
  assert.equal(client.track("menu_clicked", { item: "a" }), undefined);
  await advance(10_000);
  win.dispatchEvent(new Event("pagehide"));

  assert.equal(telemetryRequests(win).length, 0);
  assert.equal(win.beacons.length, 0);
  assert.equal(storage.length, 0);
});

test("Global Privacy Control is honoured when respectDoNotTrack is set", async (t) => {
  useFakeTimers(t);
  const win = makeWindow();
  win.navigator.globalPrivacyControl = true;
  const { client } = startClient({ respectDoNotTrack: true }, win);
  client.track("menu_clicked", { item: "a" });
  await advance(10_000);
  assert.equal(telemetryRequests(win).length, 0);
});

test("Do Not Track is ignored without respectDoNotTrack", async (t) => {
  useFakeTimers(t);
  const win = makeWindow();
  win.navigator.doNotTrack = "1";
  const { client } = startClient({}, win);
  client.track("menu_clicked", { item: "a" });
  await advance(5000);
  assert.equal(postedEvents(win).length, 1);
});

test("optOut drops the queue and stored ids, and lasts across reloads", async (t) => {
  useFakeTimers(t);
  const storage = new FakeStorage();
  const first = startClient({}, makeWindow({ storage }));
  first.client.track("menu_clicked", { item: "a" });
  first.client.optOut();
  first.client.track("menu_clicked", { item: "b" });
  await advance(10_000);
  assert.equal(telemetryRequests(first.win).length, 0);
  assert.deepEqual(Array.from(storage.map.keys()), ["lmst:opt_out"]);

  const second = startClient({}, makeWindow({ storage }));
  second.client.track("menu_clicked", { item: "c" });
  await advance(10_000);
  assert.equal(telemetryRequests(second.win).length, 0);

  second.client.optIn();
  second.client.track("menu_clicked", { item: "d" });
  await advance(5000);
  assert.deepEqual(
    postedEvents(second.win).map((e) => e.payload.item),
    ["d"],
  );
});

test("sampleRate keeps or leaves out a whole browser, not single events", async (t) => {
  useFakeTimers(t);
  let kept = 0;
  for (let i = 0; i < 200; i++) {
    const { client, win } = startClient({ sampleRate: 0.3 });
    client.track("menu_clicked", { item: "a" });
    client.track("menu_clicked", { item: "b" });
    await advance(5000);
    const count = postedEvents(win).length;
    assert.ok(count === 0 || count === 2, "all or nothing per browser");
    if (count === 2) kept += 1;
    client.shutdown();
  }
  // Binomial(200, 0.3): mean 60, sd 6.5; 4 sd either side.
  assert.ok(kept > 34 && kept < 86, String(kept));
});

test("sampleRate 0 sends nothing", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient({ sampleRate: 0 });
  client.track("menu_clicked", { item: "a" });
  await advance(5000);
  assert.equal(telemetryRequests(win).length, 0);
});
