import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import vm from "node:vm";

const here = new URL("..", import.meta.url).pathname;
const shipped = join(here, "..", "..", "src", "lms_telemetry", "static");

test("the shipped files are the build of the current source", () => {
  const out = mkdtempSync(join(tmpdir(), "lms-telemetry-build-"));
  try {
    execFileSync(process.execPath, [join(here, "build.mjs"), "--out", out]);
    for (const name of ["telemetry_client.js", "telemetry_client.mjs"]) {
      const fresh = readFileSync(join(out, name), "utf8");
      const committed = readFileSync(join(shipped, name), "utf8");
      assert.ok(
        fresh === committed,
        `${name} is stale: run npm run build in clients/js`,
      );
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test("the classic script defines LmsTelemetry and sendTelemetry on window", () => {
  const window = { document: {}, navigator: {}, location: {} };
  window.window = window;
  vm.runInNewContext(
    readFileSync(join(shipped, "telemetry_client.js"), "utf8"),
    window,
  );
  assert.equal(typeof window.LmsTelemetry.init, "function");
  assert.equal(typeof window.LmsTelemetry.getVariant, "function");
  assert.equal(window.sendTelemetry, window.LmsTelemetry.track);
});
