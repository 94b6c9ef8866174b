/**
 * Builds the files the service ships from src/lms_telemetry/static/: a
 * minified classic script (IIFE) and a minified ES module, web-vitals bundled.
 * `node build.mjs --out DIR` writes elsewhere (the freshness test uses it).
 *
 * esbuild bundles and minifies; terser then minifies again, because its
 * compressor finds a few hundred bytes more (the target is 8 KiB min+gzip).
 */

import { build } from "esbuild";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { minify } from "terser";

const here = dirname(fileURLToPath(import.meta.url));
const outIndex = process.argv.indexOf("--out");
const outDir =
  outIndex > 0
    ? process.argv[outIndex + 1]
    : join(here, "..", "..", "src", "lms_telemetry", "static");
const { version } = JSON.parse(
  readFileSync(join(here, "package.json"), "utf8"),
);
const vitalsVersion = JSON.parse(
  readFileSync(
    join(here, "node_modules", "web-vitals", "package.json"),
    "utf8",
  ),
).version;
const banner = `/* lms-telemetry ${version}, web-vitals ${vitalsVersion}: Apache-2.0 */`;

// ES2022, not older: web-vitals already calls Array.prototype.at (ES2022),
// so browsers without ES2022 syntax could not run the bundle anyway.
const TARGET = "es2022";

async function buildOne(entry, format, outName) {
  const bundled = await build({
    entryPoints: [join(here, entry)],
    format,
    bundle: true,
    minify: true,
    target: TARGET,
    legalComments: "none",
    // Our internal properties start with "_" and get short names; nothing
    // public, stored or sent does. web-vitals has none, but three of its
    // names never leave the bundle: an option we never pass and the two
    // members of its internal visibility watcher.
    mangleProps: /^_|^(reportAllChanges|firstHiddenTime|onHidden)$/,
    logLevel: "warning",
    write: false,
  });
  const isModule = format === "esm";
  const minified = await minify(bundled.outputFiles[0].text, {
    ecma: 2020,
    module: isModule,
    compress: { passes: 3 },
    mangle: true,
    format: { preamble: banner },
  });
  writeFileSync(join(outDir, outName), minified.code + "\n");
}

await buildOne(join("src", "browser_global.js"), "iife", "telemetry_client.js");
await buildOne("telemetry_client.js", "esm", "telemetry_client.mjs");
