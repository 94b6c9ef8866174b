/**
 * lms-telemetry browser client, as an ES module. The build bundles it with
 * Google's web-vitals into the files the service ships: a classic script
 * exposing `window.LmsTelemetry` and `sendTelemetry`, and an ES module.
 *
 *   LmsTelemetry.init({ writeKey: "...", persona: "patron", interface: "opac" });
 *   LmsTelemetry.track("item_viewed", { item_id: "b1234" });
 */

import { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
import { createClient } from "./src/client.js";

const LmsTelemetry = createClient(
  typeof window === "undefined" ? undefined : window,
  { onCLS, onFCP, onINP, onLCP, onTTFB },
);

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
