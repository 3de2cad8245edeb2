import { brent, CompensatedAdder } from "@optex/numerics";
import { clearedResult, failedResult, oneLine } from "./clearingResult.ts";
import type { ClearingResult } from "./clearingResult.ts";
import { evaluateSchedule, quantityMagnitude } from "./demandSchedule.ts";
import type { DemandSchedule } from "./demandSchedule.ts";
import { isNegligible, NEGLIGIBLE_RELATIVE } from "./isNegligible.ts";

/** Bracketing doubles |p| from 1 up to this bound (2^50, about 1.1e15); no sign change within it means no-price. */
export const MONOTONE_PRICE_BOUND = 2 ** 50;

/**
 * Resolution of the non-uniqueness and jump checks, relative to the bracket found by the
 * geometric search (whose width is about max(1, |p|)): probes at p* -+ h with
 * h = MONOTONE_RESOLUTION * max(1, |p*|).
 */
export const MONOTONE_RESOLUTION = 1e-6;

// A residual this many times larger than the local slope allows means D jumps over 0.
const JUMP_FACTOR = 1e3;

interface Sample {
  value: number;
  magnitude: number;
}

/**
 * Numerical clearing of any valid schedules, at least one of them `fn`: aggregate excess
 * demand D is sampled at 0, then at +-1, +-2, +-4, ... in the direction of its sign up to
 * MONOTONE_PRICE_BOUND, and the sign change is refined by brent() to `tolerance` relative
 * in price. Checks, on the sampled prices only: every quantity finite (else invalid,
 * naming the trader), their sum finite (else invalid: D overflows), every trader's demand non-increasing between consecutive samples
 * (else invalid, naming the trader), and D non-increasing up to rounding. Then D is
 * probed at p* -+ h (MONOTONE_RESOLUTION): D = 0 (up to isNegligible) at either probe
 * means a zero set of positive length,
 * non-unique-price; a residual at p* far above what the local slope allows means D jumps
 * over 0 (a discontinuous schedule), no-price. Non-uniqueness and jumps narrower than h
 * go undetected. Throws nothing (a throwing `fn` gives invalid). Internal.
 */
export function clearMonotone(schedules: readonly DemandSchedule[], tolerance: number, maxIterations: number): ClearingResult {
  const n = schedules.length;
  // Set by sample() when a schedule misbehaves; read after each sampling step.
  let failure = null as string | null;
  const sample = (p: number, out: Float64Array): Sample | null => {
    const sum = new CompensatedAdder();
    let magnitude = 0;
    let i = 0;
    try {
      for (; i < n; i++) {
        const q = evaluateSchedule(schedules[i], p);
        if (!Number.isFinite(q)) {
          failure = `trader ${i}: quantity at p = ${p} is ${q}, must be a finite number`;
          return null;
        }
        out[i] = q;
        sum.add(q);
        magnitude += quantityMagnitude(schedules[i], p, q);
      }
    } catch (error) {
      failure = `trader ${i}: quantity function threw at p = ${p}: ${error instanceof Error ? error.message : String(error)}`;
      return null;
    }
    const value = sum.value;
    if (!Number.isFinite(value)) {
      // Every quantity is finite but their sum is not representable: no price can be checked to clear.
      failure = `aggregate excess demand overflows at p = ${p}: the quantities sum to ${value}`;
      return null;
    }
    return { value, magnitude };
  };
  const isZero = (s: Sample): boolean => isNegligible(s.value, s.magnitude);
  // Both samples ordered by price: lowP < highP.
  // Every trader is checked, not only the aggregate: increases can cancel in the sum.
  const increase = (lowP: number, low: Sample, lowQ: Float64Array, highP: number, high: Sample, highQ: Float64Array): string | null => {
    for (let i = 0; i < n; i++) {
      if (highQ[i] - lowQ[i] > NEGLIGIBLE_RELATIVE * (Math.abs(lowQ[i]) + Math.abs(highQ[i])))
        return `demand of trader ${i} is increasing: q(${lowP}) = ${lowQ[i]} < q(${highP}) = ${highQ[i]}`;
    }
    if (high.value - low.value <= NEGLIGIBLE_RELATIVE * (low.magnitude + high.magnitude)) return null;
    return `aggregate excess demand is increasing: D(${lowP}) = ${low.value} < D(${highP}) = ${high.value}`;
  };

  let previousQ = new Float64Array(n);
  let currentQ = new Float64Array(n);
  let previousP = 0;
  let previous = sample(previousP, previousQ);
  if (previous === null) return failedResult("invalid", failure ?? "sampling failed");

  let root: number;
  if (isZero(previous)) root = 0;
  else {
    const direction = previous.value > 0 ? 1 : -1;
    let step = 1;
    for (;;) {
      const p = direction * step;
      const current = sample(p, currentQ);
      if (current === null) return failedResult("invalid", failure ?? "sampling failed");
      const problem =
        direction > 0
          ? increase(previousP, previous, previousQ, p, current, currentQ)
          : increase(p, current, currentQ, previousP, previous, previousQ);
      if (problem !== null) return failedResult("invalid", problem);
      if (isZero(current)) {
        root = p;
        break;
      }
      if (current.value > 0 !== previous.value > 0) {
        const f = (x: number): number => {
          const s = sample(x, currentQ);
          if (s === null) return Number.NaN;
          return isZero(s) ? 0 : s.value;
        };
        const found = brent(f, previousP, p, {
          relativeTolerance: tolerance,
          absoluteTolerance: 0,
          maxIterations,
          fLo: previous.value,
          fHi: current.value,
        });
        if (failure !== null) return failedResult("invalid", failure);
        if (!found.converged)
          return failedResult(
            "invalid",
            `price search did not converge within ${maxIterations} iterations in [${Math.min(previousP, p)}, ${Math.max(previousP, p)}]`,
          );
        root = found.root;
        break;
      }
      if (step >= MONOTONE_PRICE_BOUND) {
        const sign = direction > 0 ? "positive" : "negative";
        return failedResult("no-price", `aggregate excess demand stays ${sign} up to the search bound: D(${p}) = ${current.value}`);
      }
      [previousQ, currentQ] = [currentQ, previousQ];
      previousP = p;
      previous = current;
      step *= 2;
    }
  }

  const h = MONOTONE_RESOLUTION * Math.max(1, Math.abs(root));
  const belowQ = new Float64Array(n);
  const rootQ = new Float64Array(n);
  const aboveQ = new Float64Array(n);
  const below = sample(root - h, belowQ);
  const atRoot = below === null ? null : sample(root, rootQ);
  const above = atRoot === null ? null : sample(root + h, aboveQ);
  if (below === null || atRoot === null || above === null) return failedResult("invalid", failure ?? "sampling failed");
  const problem = increase(root - h, below, belowQ, root, atRoot, rootQ) ?? increase(root, atRoot, rootQ, root + h, above, aboveQ);
  if (problem !== null) return failedResult("invalid", problem);
  if (isZero(below) || isZero(above)) {
    const from = isZero(below) ? root - h : root;
    const to = isZero(above) ? root + h : root;
    return failedResult(
      "non-unique-price",
      `aggregate excess demand is 0 to machine precision on [${from}, ${to}] (resolution ${h}): no unique clearing price`,
    );
  }
  if (!isZero(atRoot)) {
    const localSlope = Math.abs(below.value - above.value) / (2 * h);
    const priceError = (tolerance + 4 * Number.EPSILON) * Math.abs(root) + Number.MIN_VALUE;
    if (Math.abs(atRoot.value) > JUMP_FACTOR * localSlope * priceError)
      return failedResult(
        "no-price",
        oneLine(`aggregate excess demand jumps over 0 at p = ${root} (D = ${atRoot.value} there): no price clears`),
      );
  }
  return clearedResult(root, rootQ);
}
