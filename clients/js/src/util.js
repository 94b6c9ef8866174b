/**
 * Small helpers shared by the client's modules: ids, one-time warnings,
 * byte counts and safe copies of the payloads a page hands us.
 */

export const SCHEMA_VERSION = "1-0-0";

const MAX_PAYLOAD_DEPTH = 8;
const warned = new Set();

/** A random UUID v4; crypto.randomUUID needs a secure context, hence the fallback. */
export function newUuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40; // version 4
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (byte) => (byte + 256).toString(16).slice(1));
  return hex.join("").replace(/(.{8})(.{4})(.{4})(.{4})/, "$1-$2-$3-$4-");
}

/**
 * Warn once per message, so a page calling us wrongly in a loop is not
 * flooded; `detail` (the value at fault) is shown but not part of the key.
 */
export function warnOnce(message, detail = "") {
  if (warned.has(message)) return;
  warned.add(message);
  try {
    console.warn("lms-telemetry: " + message + detail);
  } catch (ignored) {
    // A page may have replaced console; a warning is never worth an error.
  }
}

/** Forget earlier warnings (tests only). */
export function resetWarnings() {
  warned.clear();
}

/** Cut text to at most maxCodePoints code points, never splitting a surrogate pair. */
export function truncate(text, maxCodePoints) {
  const points = Array.from(String(text)); // by code point, pairs kept whole
  if (points.length > maxCodePoints) {
    points.splice(maxCodePoints - 1, Infinity, "\u2026");
  }
  return points.join("");
}

/** Bytes of text once encoded as UTF-8. */
export function utf8Length(text) {
  // ASCII text, the common case, needs no encoding.
  if (/^[\x00-\x7f]*$/.test(text)) return text.length;
  return new TextEncoder().encode(text).length;
}

/**
 * A copy of a payload that JSON.stringify can write: cycles and nesting past
 * MAX_PAYLOAD_DEPTH are replaced by a marker string and bigints written as
 * text. The rest is left to JSON.stringify, which writes dates as ISO text
 * and non-finite numbers as null, and leaves out functions and symbols.
 */
export function sanitize(value, depth = 0, ancestors = []) {
  if (typeof value === "bigint") return String(value);
  if (!value || typeof value !== "object" || value.toJSON) return value;
  if (ancestors.includes(value)) return "[circular]";
  if (depth >= MAX_PAYLOAD_DEPTH) return "[too deep]";

  ancestors.push(value);
  const copy = Array.isArray(value) ? [] : {};
  for (const key of Object.keys(value)) {
    copy[key] = sanitize(value[key], depth + 1, ancestors);
  }
  ancestors.pop();
  return copy;
}

/** Listen to `type` on `target`; return the function that stops listening. */
export function listen(target, type, handler, options) {
  target.addEventListener(type, handler, options);
  return () => target.removeEventListener(type, handler, options);
}

/** The path of `url` when it is on this origin, else undefined. */
export function sameOriginPath(url, location) {
  try {
    const parsed = new URL(url, location.href);
    if (parsed.origin === location.origin) return parsed.pathname;
  } catch (notUrl) {
    // Not a URL, so not a path of this origin either.
  }
}

/** Round a measurement to `digits` decimals. */
export function round(value, digits = 1) {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
