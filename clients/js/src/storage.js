/**
 * Where the client keeps its queue, identity and counters: localStorage, or
 * memory only (`persistence: "memory"`) for sites that store nothing on the
 * device. Never cookies. Storage failures (private mode, quota) degrade to
 * memory instead of throwing into the page.
 */

export const KEY_PREFIX = "lmst:";

function probeLocalStorage(env) {
  try {
    const local = env.localStorage;
    local.setItem(KEY_PREFIX + "probe", "1");
    local.removeItem(KEY_PREFIX + "probe");
    return local;
  } catch (unavailable) {
    return null;
  }
}

/** Open the storage named by the `persistence` option. */
export function openStorage(persistence, env) {
  const local = persistence === "memory" ? null : probeLocalStorage(env);
  const memory = new Map();

  return {
    _get(key) {
      try {
        return local ? local.getItem(key) : (memory.get(key) ?? null);
      } catch (unreadable) {
        return null;
      }
    },
    _set(key, value) {
      try {
        if (local) local.setItem(key, value);
        else memory.set(key, value);
        return true;
      } catch (full) {
        return false;
      }
    },
    _remove(key) {
      try {
        if (local) local.removeItem(key);
        else memory.delete(key);
      } catch (ignored) {
        // Nothing to undo: the key stays and is overwritten later.
      }
    },
    _keys() {
      try {
        if (!local) return Array.from(memory.keys());
        return Array.from({ length: local.length }, (_, i) => local.key(i));
      } catch (unreadable) {
        return [];
      }
    },
  };
}

/** Read a JSON value, or `fallback` when missing or unreadable. */
export function readJson(storage, key, fallback) {
  try {
    const text = storage._get(key);
    return text === null ? fallback : JSON.parse(text);
  } catch (corrupt) {
    return fallback;
  }
}
