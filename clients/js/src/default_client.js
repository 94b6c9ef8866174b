/**
 * The page's client, wired to Google's web-vitals: what both builds ship,
 * the ES module as its exports and the classic script as `window.LmsTelemetry`.
 */

import { onCLS, onFCP, onINP, onLCP, onTTFB } from "web-vitals";
import { createClient } from "./client.js";

export default createClient(
  typeof window === "undefined" ? undefined : window,
  { onCLS, onFCP, onINP, onLCP, onTTFB },
);
