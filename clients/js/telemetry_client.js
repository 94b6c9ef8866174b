/**
 * lms-telemetry browser client, as an ES module. The build bundles it with
 * Google's web-vitals into the files the service ships: a classic script
 * exposing `window.LmsTelemetry` and `sendTelemetry`, and an ES module.
 *
 *   LmsTelemetry.init({ writeKey: "...", persona: "patron", interface: "opac" });
 *   LmsTelemetry.track("item_viewed", { item_id: "b1234" });
 */

// TODO: the shipped classic script is about 9.2 KiB min+gzip against a target
// of 8 KiB; web-vitals is about 2.4 KiB of it, and our part needs trimming
// (warning texts, option checks, XMLHttpRequest capture) to get under it.
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
