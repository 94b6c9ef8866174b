/**
 * What the client records without being asked, each part switchable through
 * `autocapture`: page views (single-page navigation included), tab and menu
 * clicks marked with data attributes, JS errors, page load timing, Web
 * Vitals and same-origin API calls. Each capture is called with the client's
 * hooks, the window, the options and the web-vitals subscriptions, and
 * returns its undo function when there is anything to undo.
 */

import { listen, round, truncate } from "./util.js";

const MAX_MESSAGE_CODE_POINTS = 500;
const MAX_STACK_CODE_POINTS = 4000;
// A path segment is an id when it is a number, an ISBN-like run of digits and
// punctuation, hex of 8+ characters, or a long token with a digit; a UUID is
// such a token, as its version field is a digit.
const ID_SEGMENT =
  /^(?:[\d.,:_~-]*\d[\d.,:_~-]*|(?=[^]*\d)[0-9a-f]{8,}|(?=[^]*\d)[\w~.-]{16,})$/i;

/** A route template: the path with ids replaced by `{id}`, no query. */
export function routeTemplate(path) {
  return path
    .split("/")
    .map((segment) => (ID_SEGMENT.test(segment) ? "{id}" : segment))
    .join("/");
}

/** page_viewed now and on every history navigation to a new path. */
export function capturePageViews(client, env) {
  const history = env.history;
  const originals = {
    pushState: history.pushState,
    replaceState: history.replaceState,
  };
  const onNavigate = () => client._navigate(env.location.pathname);
  for (const name of Object.keys(originals)) {
    history[name] = function (...args) {
      const result = originals[name].apply(this, args);
      onNavigate();
      return result;
    };
  }
  const stopListening = listen(env, "popstate", onNavigate);
  onNavigate();
  return () => {
    Object.assign(history, originals);
    stopListening();
  };
}

/** tab_switched and menu_clicked for elements marked with data attributes. */
export function captureClicks(client, env) {
  return listen(
    env.document,
    "click",
    (event) => {
      const target = event.target;
      const marked = target?.closest?.(
        "[data-telemetry-tab],[data-telemetry-menu]",
      );
      if (!marked) return;
      const tab = marked.getAttribute("data-telemetry-tab");
      if (tab !== null) client._track("tab_switched", { tab });
      else
        client._track("menu_clicked", {
          item: marked.getAttribute("data-telemetry-menu"),
        });
    },
    true,
  );
}

/** js_error for uncaught errors and rejections, each at most N times a page. */
export function captureErrors(client, env, options) {
  const sentCounts = new Map();
  const report = (payload) => {
    const key = [
      payload.kind,
      payload.message,
      payload.source,
      payload.line,
    ].join("|");
    const count = (sentCounts.get(key) || 0) + 1;
    sentCounts.set(key, count);
    if (count <= options.maxErrorsPerPage) client._track("js_error", payload);
  };
  const describe = (kind, error, fallbackMessage) => ({
    kind,
    message: truncate(
      error?.message || fallbackMessage || "unknown error",
      MAX_MESSAGE_CODE_POINTS,
    ),
    stack: error?.stack && truncate(error.stack, MAX_STACK_CODE_POINTS),
  });
  const stopErrors = listen(env, "error", (event) => {
    // Failed resources (img, script) also fire "error" but carry no message.
    if (event?.message === undefined) return;
    const payload = describe("error", event.error, event.message);
    // The script's URL without its query or fragment, which may hold data.
    payload.source = event.filename?.split(/[?#]/)[0];
    payload.line = event.lineno || undefined;
    payload.column = event.colno || undefined;
    report(payload);
  });
  const stopRejections = listen(env, "unhandledrejection", (event) => {
    const reason = event?.reason;
    const text = reason instanceof Object ? undefined : String(reason);
    report(describe("unhandledrejection", reason, text));
  });
  return () => {
    stopErrors();
    stopRejections();
  };
}

/** page_load from Navigation Timing, once the load event has finished. */
export function capturePageLoad(client, env) {
  // A task after the load event, when loadEventEnd has been set.
  const report = () =>
    setTimeout(() => {
      const timing = env.performance.getEntriesByType("navigation")[0];
      if (!timing) return;
      client._track("page_load", {
        path: env.location.pathname,
        ttfb_ms: round(timing.responseStart),
        dom_content_loaded_ms: round(timing.domContentLoadedEventEnd),
        load_ms: round(timing.loadEventEnd),
      });
    });
  if (env.document.readyState !== "complete") {
    return listen(env, "load", report);
  }
  report();
}

/** web_vital for LCP, INP, CLS, FCP and TTFB through Google's web-vitals. */
export function captureWebVitals(client, env, options, vitals) {
  const report = (metric) =>
    client._track("web_vital", {
      name: metric.name,
      value: round(metric.value, metric.name === "CLS" ? 4 : 1),
    });
  // web-vitals offers no way to unsubscribe, so there is no undo.
  for (const subscribe of Object.values(vitals)) subscribe(report);
}
