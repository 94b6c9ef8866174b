/**
 * lms-telemetry browser client, as an ES module. The build bundles it with
 * Google's web-vitals into the files the service ships: a classic script
 * exposing `window.LmsTelemetry` and `sendTelemetry`, and an ES module.
 *
 *   LmsTelemetry.init({ writeKey: "...", persona: "patron", interface: "opac" });
 *   LmsTelemetry.track("item_viewed", { item_id: "b1234" });
 */

import LmsTelemetry from "./src/default_client.js";

export const {
  init,
  track,
  page,
  setPersona,
  optOut,
  optIn,
  flush,
  trackSearchInput,
  getVariant,
  experimentsReady,
  shutdown,
  sendTelemetry,
} = LmsTelemetry;
export default LmsTelemetry;
