/**
 * Experiments at run time: definitions loaded once per page from
 * GET /api/experiments (or given to init), `getVariant(key)` assigning the
 * browser's anonymous_id, and `experiment_exposure` sent once per session
 * per experiment. Exposed variants ride on every event's `experiments`.
 */

import { assignVariant } from "./experiments.js";
import { KEY_PREFIX, readJson } from "./storage.js";
import { warnOnce } from "./util.js";

const EXPOSURES_KEY = KEY_PREFIX + "exposures";

export function createExperiments(options, storage, send, hooks) {
  const definitions = new Map();
  let exposures = {}; // { session, variants } of the current session

  function define(list) {
    if (!Array.isArray(list)) {
      return warnOnce("experiment definitions lack a list");
    }
    for (const definition of list) {
      if (typeof definition?.key === "string") {
        definitions.set(definition.key, definition);
      }
    }
  }

  async function load() {
    const url = options.experimentsEndpoint;
    if (options.experiments || !url) return define(options.experiments || []);
    try {
      // Default cache mode: the service marks the definitions cacheable.
      const response = await send(url, { credentials: "omit" });
      if (!response.ok) throw new Error("status " + response.status);
      define((await response.json()).experiments);
    } catch (error) {
      warnOnce("experiments not loaded: ", error);
    }
  }

  /** Variants exposed in this session (shared by tabs through storage). */
  function exposedVariants(sessionId) {
    if (exposures.session !== sessionId) {
      const stored = readJson(storage, EXPOSURES_KEY, null);
      exposures =
        stored?.session === sessionId
          ? stored
          : { session: sessionId, variants: {} };
    }
    const variants = exposures.variants;
    for (const key in variants) return { ...variants };
  }

  function expose(sessionId, experimentKey, variant) {
    const variants = exposedVariants(sessionId) || {};
    if (variants[experimentKey] === variant) return;
    variants[experimentKey] = variant;
    exposures = { session: sessionId, variants };
    storage._set(EXPOSURES_KEY, JSON.stringify(exposures));
    hooks._track("experiment_exposure", { experiment: experimentKey, variant });
  }

  /** The unit's variant, exposed once per session; null when not in the experiment. */
  function getVariant(experimentKey, identity, persona, interfaceName) {
    const definition = definitions.get(experimentKey);
    if (!definition) return null;
    const unit = identity._anonymousId;
    const variant = assignVariant(definition, unit, persona, interfaceName);
    if (variant !== null) {
      expose(identity._sessionAt(Date.now()), experimentKey, variant);
    }
    return variant;
  }

  return {
    _ready: load(),
    _exposedVariants: exposedVariants,
    _getVariant: getVariant,
  };
}
