/**
 * api_request events for the page's own same-origin calls made with fetch or
 * XMLHttpRequest: route template, method, status (0 for a network failure)
 * and duration. Calls to other origins and the client's own requests are
 * left out.
 */

import { routeTemplate } from "./autocapture.js";
import { round, sameOriginPath } from "./util.js";

/** The route of a same-origin URL not in `ownPaths`, else undefined. */
export function apiRoute(url, location, ownPaths) {
  const path = sameOriginPath(url, location);
  return path && !ownPaths.includes(path) ? routeTemplate(path) : undefined;
}

function requestOf(input, init) {
  // `input` is a URL (text or URL object) or a Request, which has a url.
  const method = init?.method || input?.method || "GET";
  return { url: input?.url ?? input, method: method.toUpperCase() };
}

function wrapFetch(env, report) {
  const originalFetch = env.fetch;
  env.fetch = function (input, init) {
    const startMillis = env.performance.now();
    const request = requestOf(input, init);
    const response = originalFetch.apply(this, arguments);
    response.then(
      (answer) => report(request, answer.status, startMillis),
      () => report(request, 0, startMillis),
    );
    return response;
  };
  return () => {
    env.fetch = originalFetch;
  };
}

function wrapXhr(env, report) {
  const prototype = env.XMLHttpRequest?.prototype;
  if (!prototype) return;
  const { open, send } = prototype;
  // Kept beside the page's objects, not on them: no property of ours to clash.
  const requests = new WeakMap();
  prototype.open = function (method, url) {
    requests.set(this, { method: String(method).toUpperCase(), url });
    return open.apply(this, arguments);
  };
  prototype.send = function () {
    const request = requests.get(this);
    if (request) {
      const startMillis = env.performance.now();
      // Once: a page may open and send the same object again.
      this.addEventListener(
        "loadend",
        () => report(request, this.status, startMillis),
        { once: true },
      );
    }
    return send.apply(this, arguments);
  };
  return () => Object.assign(prototype, { open, send });
}

/** Wrap fetch and XMLHttpRequest; return the undo function. */
export function captureApiRequests(client, env, options) {
  // The client's own requests use the unwrapped fetch, but a page may call
  // the same endpoints itself.
  const ownPaths = [options.endpoint, options.experimentsEndpoint]
    .filter(Boolean)
    .map((url) => sameOriginPath(url, env.location));
  const report = (request, status, startMillis) => {
    const endpoint = apiRoute(request.url, env.location, ownPaths);
    if (!endpoint) return;
    client._track("api_request", {
      endpoint,
      method: request.method,
      status,
      duration_ms: round(env.performance.now() - startMillis),
    });
  };
  const undoFetch = wrapFetch(env, report);
  const undoXhr = wrapXhr(env, report);
  return () => {
    undoFetch();
    undoXhr?.();
  };
}
