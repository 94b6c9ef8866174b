/**
 * Experiment assignment in the browser, with GrowthBook's published hashing
 * (version 2), so a unit lands in the same variant here, in the Python
 * service and in any GrowthBook SDK:
 *
 *   bucket = fnv1a32(str(fnv1a32(seed + unit))) % 10000 / 10000
 *
 * Each variant owns [start, start + coverage * weight) where start is the sum
 * of the weights before it; a bucket outside every range is not in the
 * experiment. Lowering coverage shrinks ranges in place, so it never moves a
 * unit from one variant to another.
 */

/**
 * 32-bit FNV-1a over UTF-16 code units, as GrowthBook's JavaScript SDK does.
 * (For text outside the Basic Multilingual Plane this differs from SDKs
 * hashing code points; seeds and units are ASCII ids in practice.)
 */
export function fnv1a32(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The unit's bucket in [0, 1), on a grid of 1/10,000. */
export function hashBucket(seed, unit) {
  return (fnv1a32(String(fnv1a32(seed + unit))) % 10000) / 10000;
}

/**
 * Weights that sum to 1 within 0.01 are used as given (as GrowthBook does,
 * so ranges match it to the last bit); others are scaled to sum to 1.
 */
export function normalizeWeights(weights) {
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total >= 0.99 && total <= 1.01) return weights;
  if (!(total > 0)) return weights.map(() => 1 / weights.length);
  return weights.map((weight) => weight / total);
}

/** The [start, end) bucket range of each variant. */
export function bucketRanges(weights, coverage = 1) {
  const share = Math.min(Math.max(coverage, 0), 1);
  let start = 0;
  return normalizeWeights(weights).map((weight) => {
    const range = [start, start + share * weight];
    start += weight;
    return range;
  });
}

// The service sends `personas` and `interfaces`; a missing or empty list
// means everyone. The singular names are accepted too.
function isTargeted(allowed, value) {
  return !allowed?.length || allowed.includes(value);
}

// A missing bound parses as NaN, and no comparison with NaN holds.
function isRunning({ start, end }, nowMillis) {
  return !(nowMillis < Date.parse(start)) && !(nowMillis >= Date.parse(end));
}

/**
 * The variant key of `unit` in `experiment` (a definition as served by
 * GET /api/experiments), or null when its period, targeting or coverage
 * leaves the unit out.
 */
export function assignVariant(
  experiment,
  unit,
  persona,
  interfaceName,
  nowMillis = Date.now(),
) {
  const variants = experiment.variants;
  if (!Array.isArray(variants) || variants.length < 2) return null;
  if (!isTargeted(experiment.personas || experiment.persona, persona))
    return null;
  const interfaces = experiment.interfaces || experiment.interface;
  if (!isTargeted(interfaces, interfaceName)) return null;
  if (!isRunning(experiment, nowMillis)) return null;

  const bucket = hashBucket(experiment.seed || experiment.key, unit);
  const weights = variants.map((variant) => Number(variant.weight) || 0);
  const ranges = bucketRanges(weights, experiment.coverage ?? 1);
  const index = ranges.findIndex(
    ([start, end]) => bucket >= start && bucket < end,
  );
  return index < 0 ? null : String(variants[index].key);
}
