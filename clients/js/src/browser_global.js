/**
 * Entry of the classic-script build: publishes the client as
 * `window.LmsTelemetry` and the original sketch's `window.sendTelemetry`.
 * A second copy of the script on a page keeps the first one's client.
 */

import LmsTelemetry from "./default_client.js";

if (!window.LmsTelemetry) {
  window.LmsTelemetry = LmsTelemetry;
  window.sendTelemetry = LmsTelemetry.sendTelemetry;
}
