#!/usr/bin/env bash
# Install the client's build and test tools from package-lock.json, then run
# its unit tests with Node's own test runner. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
node --test test/
