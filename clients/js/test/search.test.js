import assert from "node:assert/strict";
import { test } from "node:test";
import {
  advance,
  postedEvents,
  startClient,
  useFakeTimers,
} from "./fake_browser.js";

function fakeInput() {
  const input = new EventTarget();
  input.value = "";
  input.type = (text) => {
    input.value = text;
    input.dispatchEvent(new Event("input"));
  };
  return input;
}

test("search_input is sent once typing pauses, not per keystroke", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  const input = fakeInput();
  client.trackSearchInput(input);
  for (const text of ["h", "ha", "har", "harr", "harry"]) {
    input.type(text);
    await advance(200);
  }
  await advance(300);
  input.type("harry p");
  await advance(499);
  input.type("harry potter");
  await advance(500);
  await advance(5000);

  const queries = postedEvents(win).map((e) => [e.event, e.payload.query]);
  assert.deepEqual(queries, [
    ["search_input", "harry"],
    ["search_input", "harry potter"],
  ]);
});

test("queries shorter than minLength or unchanged are not sent", async (t) => {
  useFakeTimers(t);
  const { client, win } = startClient();
  const input = fakeInput();
  const stop = client.trackSearchInput(input, { delayMs: 300, minLength: 3 });
  input.type("ab");
  await advance(300);
  input.type("abc ");
  await advance(300);
  input.type(" abc");
  await advance(300);
  stop();
  input.type("abcdef");
  await advance(5000);

  assert.deepEqual(
    postedEvents(win).map((e) => e.payload.query),
    ["abc"],
  );
});
