import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { test } from "node:test";
import {
  assignVariant,
  bucketRanges,
  fnv1a32,
  hashBucket,
} from "../src/experiments.js";
import {
  advance,
  makeWindow,
  postedEvents,
  startClient,
  useFakeTimers,
} from "./fake_browser.js";

const fixture = (path) => new URL(path, import.meta.url);
const SHARED_VECTORS = fixture(
  "../../../tests/fixtures/experiment_assignment_vectors.json",
);

test("FNV-1a matches the published 32-bit test values", () => {
  // From the FNV reference test suite (Noll): fnv1a32("") and ("a"), ("foobar").
  assert.equal(fnv1a32(""), 0x811c9dc5);
  assert.equal(fnv1a32("a"), 0xe40c292c);
  assert.equal(fnv1a32("foobar"), 0xbf9cf968);
});

test("assignment equals GrowthBook's own SDK on 1,000 units", () => {
  // Computed by the growthbook package from PyPI: see make_growthbook_vectors.py.
  const vectors = JSON.parse(
    readFileSync(fixture("fixtures/growthbook_vectors.json")),
  );
  const byKey = new Map(vectors.experiments.map((e) => [e.key, e]));
  for (const { experiment, unit, bucket, variant } of vectors.cases) {
    const definition = byKey.get(experiment);
    assert.equal(
      hashBucket(definition.seed || definition.key, unit),
      bucket,
      unit,
    );
    assert.equal(
      assignVariant(definition, unit, "patron", "opac"),
      variant,
      unit,
    );
  }
  assert.ok(vectors.cases.length >= 1000);
});

test("assignment equals the vectors shared with the Python service", (t) => {
  if (!existsSync(SHARED_VECTORS)) {
    t.skip("tests/fixtures/experiment_assignment_vectors.json is absent");
    return;
  }
  const { vectors } = JSON.parse(readFileSync(SHARED_VECTORS));
  for (const { seed, unit, weights, coverage, hash, variant } of vectors) {
    assert.equal(hashBucket(seed, unit), hash, `${seed}/${unit}`);
    const ranges = bucketRanges(weights, coverage);
    const index = ranges.findIndex(
      ([start, end]) => hash >= start && hash < end,
    );
    assert.equal(index < 0 ? null : index, variant, `${seed}/${unit}`);
    if (weights.length >= 2) {
      const definition = {
        key: seed,
        coverage,
        variants: weights.map((weight, i) => ({ key: String(i), weight })),
      };
      const expected = variant === null ? null : String(variant);
      assert.equal(assignVariant(definition, unit, "patron", "opac"), expected);
    }
  }
});

const renewal = {
  key: "one-click-renewal",
  seed: "renewal",
  variants: [
    { key: "control", weight: 0.5 },
    { key: "button", weight: 0.3 },
    { key: "banner", weight: 0.2 },
  ],
  coverage: 1,
  persona: ["patron"],
  interface: null,
};

const units = (count) => Array.from({ length: count }, (_, i) => "unit-" + i);

test("splits over 100,000 units are within 1% of the weights", () => {
  const counts = { control: 0, button: 0, banner: 0 };
  for (const unit of units(100_000))
    counts[assignVariant(renewal, unit, "patron")] += 1;
  for (const { key, weight } of renewal.variants) {
    assert.ok(
      Math.abs(counts[key] / 100_000 - weight) < 0.01,
      `${key}: ${counts[key]}`,
    );
  }
});

test("changing coverage never moves a unit between variants", () => {
  const full = units(20_000).map((unit) =>
    assignVariant(renewal, unit, "patron"),
  );
  for (const coverage of [0.8, 0.5, 0.1, 0]) {
    const partial = { ...renewal, coverage };
    let included = 0;
    units(20_000).forEach((unit, i) => {
      const variant = assignVariant(partial, unit, "patron");
      if (variant !== null) {
        included += 1;
        assert.equal(variant, full[i]);
      }
    });
    assert.ok(
      Math.abs(included / 20_000 - coverage) < 0.015,
      `${coverage}: ${included}`,
    );
  }
});

test("the service's plural targeting lists and period are honoured", () => {
  const served = {
    ...renewal,
    persona: undefined,
    personas: ["librarian"],
    interfaces: [],
    start: "2024-05-01T00:00:00Z",
    end: "2024-06-01T00:00:00Z",
  };
  const may = Date.parse("2024-05-10T00:00:00Z");
  assert.equal(assignVariant(served, "unit-1", "patron", "opac", may), null);
  assert.notEqual(
    assignVariant(served, "unit-1", "librarian", "opac", may),
    null,
  );
  const june = Date.parse("2024-06-01T00:00:00Z");
  assert.equal(
    assignVariant(served, "unit-1", "librarian", "opac", june),
    null,
  );
  const april = Date.parse("2024-04-30T23:59:59Z");
  assert.equal(
    assignVariant(served, "unit-1", "librarian", "opac", april),
    null,
  );
});

test("targeting by persona and interface leaves others out", () => {
  assert.equal(assignVariant(renewal, "unit-1", "librarian", "opac"), null);
  const staffOnly = { ...renewal, persona: null, interface: ["staff"] };
  assert.equal(assignVariant(staffOnly, "unit-1", "patron", "opac"), null);
  assert.notEqual(assignVariant(staffOnly, "unit-1", "patron", "staff"), null);
});

test("getVariant exposes once per session and tags later events", async (t) => {
  useFakeTimers(t);
  const win = makeWindow();
  win.experiments = [renewal];
  const { client } = startClient(
    { persona: "patron", experimentsEndpoint: "/api/experiments" },
    win,
  );
  assert.equal(client.getVariant("one-click-renewal"), null); // not loaded yet
  await client.experimentsReady();

  const variant = client.getVariant("one-click-renewal");
  assert.equal(client.getVariant("one-click-renewal"), variant);
  client.track("item_renewed", { item_id: "b1", outcome: "success" });
  await advance(31 * 60 * 1000); // a new session exposes again
  client.getVariant("one-click-renewal");
  assert.equal(client.getVariant("no-such-experiment"), null);
  await advance(5000);

  const events = postedEvents(win);
  const anonymousId = events[0].anonymous_id;
  assert.equal(
    variant,
    assignVariant(renewal, anonymousId, "patron", "unknown"),
  );
  assert.deepEqual(
    events.map((e) => [e.event, e.payload.variant, e.experiments]),
    [
      ["experiment_exposure", variant, { "one-click-renewal": variant }],
      ["item_renewed", undefined, { "one-click-renewal": variant }],
      ["experiment_exposure", variant, { "one-click-renewal": variant }],
    ],
  );
  assert.notEqual(events[0].session_id, events[2].session_id);
  const fetched = win.requests.filter((r) => r.url === "/api/experiments");
  assert.equal(fetched.length, 1);
});

test("definitions given to init need no request", async (t) => {
  useFakeTimers(t);
  const win = makeWindow();
  const { client } = startClient(
    { persona: "patron", experiments: [renewal] },
    win,
  );
  assert.notEqual(client.getVariant("one-click-renewal"), null);
  assert.equal(
    win.requests.filter((r) => r.url === "/api/experiments").length,
    0,
  );
});
