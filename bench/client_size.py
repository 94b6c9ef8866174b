"""Size of the shipped browser client beside posthog-js and Segment's
analytics-next, all measured in the same run: each npm entry minified as our
build minifies (esbuild, then terser), then gzipped at level 9. The baselines
are installed from npm into bench/out/client_size/ (ignored by git). Target:
at most 8 KiB min+gzip for ours, Web Vitals included.

    .venv/bin/python bench/client_size.py
"""

from __future__ import annotations

import gzip
import json
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIENT_JS = ROOT / "clients" / "js"
SHIPPED = ROOT / "src" / "lms_telemetry" / "static" / "telemetry_client.js"
WORK = ROOT / "bench" / "out" / "client_size"
TARGET_BYTES = 8 * 1024
BASELINES = ("posthog-js", "@segment/analytics-next")
# The file each vendor itself ships for a <script> tag (already minified).
VENDOR_SCRIPTS = {
    "posthog-js": "posthog-js/dist/array.js",
    "@segment/analytics-next": "@segment/analytics-next/dist/umd/standalone.js",
}


def install_baselines() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    (WORK / "package.json").write_text(json.dumps({"private": True}))
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", *BASELINES],
        cwd=WORK, check=True,
    )


def minify(entry_source: str, name: str) -> bytes:
    """Bundle and minify an entry with esbuild, then terser, as our build does."""
    entry = WORK / f"{name.replace('/', '_').replace('@', '')}.entry.js"
    entry.write_text(entry_source)
    tools = CLIENT_JS / "node_modules" / ".bin"
    bundled = subprocess.run(
        [str(tools / "esbuild"), str(entry), "--bundle", "--minify", "--format=iife",
         "--target=es2022", "--log-level=error", "--legal-comments=none"],
        cwd=WORK, check=True, capture_output=True,
    )
    result = subprocess.run(
        [str(tools / "terser"), "--ecma", "2020", "--compress", "passes=3",
         "--mangle"],
        input=bundled.stdout, cwd=WORK, check=True, capture_output=True,
    )
    return result.stdout


def sizes(minified: bytes) -> tuple[int, int]:
    return len(minified), len(gzip.compress(minified, compresslevel=9))


def main() -> None:
    install_baselines()
    ours_min, ours_gz = sizes(SHIPPED.read_bytes())
    rows = [("telemetry_client.js (shipped)", ours_min, ours_gz)]
    for name in BASELINES:
        # The npm entry bundled whole, with our build's settings.
        source = f'import * as library from "{name}"; window.__baseline = library;\n'
        rows.append((f"{name} (npm entry, our build)", *sizes(minify(source, name))))
        script = WORK / "node_modules" / VENDOR_SCRIPTS[name]
        rows.append((f"{name} (its own script build)", *sizes(script.read_bytes())))

    print(f"{'client':46} {'min bytes':>10} {'min+gzip':>10} {'ours / it':>10}")
    for name, minified, gzipped in rows:
        print(f"{name:46} {minified:>10} {gzipped:>10} {ours_gz / gzipped:>10.3f}")
    verdict = "meets" if ours_gz <= TARGET_BYTES else "misses"
    print(f"target {TARGET_BYTES} bytes min+gzip: ours {ours_gz} bytes, {verdict} it")


if __name__ == "__main__":
    main()
