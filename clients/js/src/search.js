/**
 * search_input once typing pauses, instead of once per keystroke. Only the
 * input element the page hands over is read; no other form field ever is.
 */

import { truncate, warnOnce } from "./util.js";

const MAX_QUERY_CODE_POINTS = 200;

/** Watch `input`; return a function that stops watching. */
export function watchSearchInput(client, input, options = {}) {
  if (typeof input?.addEventListener !== "function") {
    warnOnce("trackSearchInput() needs an input element");
    return () => {};
  }
  const pauseMillis = options.delayMs ?? 500;
  const minLength = options.minLength ?? 2;
  let timer;
  let lastQuery = "";

  const sendQuery = () => {
    const query = truncate(String(input.value).trim(), MAX_QUERY_CODE_POINTS);
    if (Array.from(query).length < minLength || query === lastQuery) return;
    lastQuery = query;
    client._track("search_input", { query });
  };
  const onInput = () => {
    clearTimeout(timer);
    timer = setTimeout(sendQuery, pauseMillis);
  };
  input.addEventListener("input", onInput);
  return () => {
    clearTimeout(timer);
    input.removeEventListener("input", onInput);
  };
}
