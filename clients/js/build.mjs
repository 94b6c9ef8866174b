/**
 * Builds the files the service ships from src/lms_telemetry/static/: a
 * minified classic script (IIFE) and a minified ES module, web-vitals bundled.
 * `node build.mjs --out DIR` writes elsewhere (the freshness test uses it).
 */

import { build } from "esbuild";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const outDir =
  outIndex > 0
    ? process.argv[outIndex + 1]
    : join(here, "..", "..", "src", "lms_telemetry", "static");
const { version } = JSON.parse(
  readFileSync(join(here, "package.json"), "utf8"),
);
const shared = {
  bundle: true,
  minify: true,
  target: "es2020",
  legalComments: "none",
  banner: {
    js: `/* lms-telemetry client ${version}, Apache-2.0; includes web-vitals (Apache-2.0) */`,
  },
  logLevel: "warning",
};

await build({
  ...shared,
  entryPoints: [join(here, "src", "browser_global.js")],
  format: "iife",
  outfile: join(outDir, "telemetry_client.js"),
});
await build({
  ...shared,
  entryPoints: [join(here, "telemetry_client.js")],
  format: "esm",
  outfile: join(outDir, "telemetry_client.mjs"),
});
