import type { BasicEnvironment } from "./basicEnvironment.ts";
import { optimalMechanismOutcome } from "./optimalMechanism.ts";
import { TheoryError } from "../theoryError.ts";
import { solveVirtualType } from "./virtualType.ts";

/** One point of the revenue-efficiency frontier (per trader). */
export interface FrontierPoint {
  readonly alpha: number;
  readonly revenuePerTrader: number;
  readonly holdingCostPerTrader: number;
  readonly utilityGainPerTrader: number;
}

/**
 * The revenue-efficiency frontier of the basic model (Figure 3): Theorem 1's optimal mechanism
 * for each weight alpha. Allocative efficiency is -N times the holding cost per trader.
 * Throws TheoryError for an alpha outside [0, 1] or when Condition 1 fails.
 */
export function revenueEfficiencyFrontier(env: BasicEnvironment, alphas: readonly number[]): FrontierPoint[] {
  return alphas.map((alpha) => {
    const o = optimalMechanismOutcome(env, solveVirtualType(env.dist, alpha));
    return {
      alpha,
      revenuePerTrader: o.revenuePerTrader,
      holdingCostPerTrader: o.holdingCostPerTrader,
      utilityGainPerTrader: o.utilityGainPerTrader,
    };
  });
}

/**
 * Parses "FROM:TO:STEP" into the grid FROM, FROM + STEP, ..., TO (inclusive up to rounding).
 * Throws TheoryError unless 0 <= FROM <= TO <= 1, STEP > 0 and the grid has at most 10,001 points.
 */
export function parseAlphaGrid(spec: string): number[] {
  const parts = spec.split(":").map((s) => (s.trim() === "" ? Number.NaN : Number(s)));
  if (parts.length !== 3 || parts.some((x) => !Number.isFinite(x)))
    throw new TheoryError(`"${spec}" is not FROM:TO:STEP with finite numbers`);
  const [from, to, step] = parts as [number, number, number];
  if (!(from >= 0 && to <= 1 && from <= to)) throw new TheoryError(`"${spec}": need 0 <= FROM <= TO <= 1`);
  if (!(step > 0)) throw new TheoryError(`"${spec}": STEP must be > 0`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > 10001) throw new TheoryError(`"${spec}": at most 10001 points, got ${count}`);
  // Integer multiples avoid drift; 12 significant digits print 0.3 rather than 0.30000000000000004.
  return Array.from({ length: count }, (_, k) => Math.min(to, Number((from + k * step).toPrecision(12))));
}
