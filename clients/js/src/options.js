/**
 * The options of `init()`: defaults, and a one-time warning naming any option
 * that is unknown or of the wrong kind (its default is used instead).
 */

import { warnOnce } from "./util.js";

export const PERSONAS = ["patron", "librarian", "admin", "it", "unknown"];
export const INTERFACES = ["opac", "staff", "kiosk", "api", "unknown"];

const DEFAULTS = {
  endpoint: "/api/telemetry",
  experimentsEndpoint: "/api/experiments",
  experiments: null, // definitions given inline instead of fetched
  writeKey: null,
  persona: "unknown",
  interface: "unknown",
  appVersion: null,
  flushIntervalMs: 5000,
  maxBatchEvents: 50,
  maxBatchBytes: 64 * 1024,
  maxQueueEvents: 1000,
  maxErrorsPerPage: 5, // the same error is sent at most this often a page
  sampleRate: 1,
  respectDoNotTrack: false,
  persistence: "localStorage",
  autocapture: true,
};

const CHOICES = {
  persona: PERSONAS,
  interface: INTERFACES,
  persistence: ["localStorage", "memory"],
};

function isValid(name, value) {
  const fallback = DEFAULTS[name];
  if (CHOICES[name]) return CHOICES[name].includes(value);
  if (name === "sampleRate") return value >= 0 && value <= 1;
  // Counts and sizes must be positive; a flush interval may be 0 (at once).
  if (typeof fallback === "number") {
    return typeof value === "number" && value >= (name[0] === "m" ? 1 : 0);
  }
  // A null experimentsEndpoint means no experiments are fetched.
  if (value === null)
    return fallback === null || name === "experimentsEndpoint";
  if (fallback === null) return typeof value !== "number";
  return typeof value === typeof fallback || name === "autocapture";
}

/** Merge `given` over the defaults, warning about each option refused. */
export function readOptions(given) {
  const options = { ...DEFAULTS };
  for (const name in given) {
    const value = given[name];
    if (value === undefined) continue;
    if (name in DEFAULTS && isValid(name, value)) options[name] = value;
    else warnOnce("init(): option " + name + " is unknown or invalid");
  }
  return options;
}

/** Whether one autocapture part (pageViews, clicks, errors, ...) is on. */
export function isCaptured(options, part) {
  // true or false switches every part; an object switches parts by name.
  const setting = options.autocapture;
  return setting !== false && setting[part] !== false;
}
