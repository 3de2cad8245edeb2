import type { Distribution } from "../laws/distribution.ts";

export interface Condition1Check {
  holds: boolean;
  /** Where a branch was found to decrease, when it does. */
  violation: { branch: "e + alpha F/f" | "e - alpha (1-F)/f"; at: number } | null;
}

/** Grid of quantile levels, dense in both tails, where Condition 1 is checked. */
function checkLevels(): number[] {
  const levels: number[] = [];
  for (let k = 1; k < 2000; k++) levels.push(k / 2000);
  for (let p = -12; p <= -4; p += 0.25) {
    levels.push(10 ** p);
    levels.push(1 - 10 ** p);
  }
  return levels.filter((u) => u > 0 && u < 1).sort((a, b) => a - b);
}
const LEVELS = checkLevels();

/**
 * Condition 1 of the paper: e - alpha (1-F(e))/f(e) and e + alpha F(e)/f(e) are weakly increasing.
 * Checked on a grid of about 2,000 quantiles (dense in both tails) with a relative slack of 1e-10,
 * so a violation narrower than the grid can be missed; log-concave laws always pass.
 */
export function checkCondition1(dist: Distribution, alpha: number): Condition1Check {
  if (alpha === 0) return { holds: true, violation: null };
  const scale = Math.sqrt(dist.variance);
  let prevE = Number.NaN;
  let prevLower = -Infinity;
  let prevUpper = -Infinity;
  for (const u of LEVELS) {
    const e = dist.quantile(u);
    if (!Number.isFinite(e) || e === prevE) continue;
    const lower = e + alpha * dist.cdfOverPdf(e);
    const upper = e - alpha * dist.survivalOverPdf(e);
    const slack = 1e-10 * (scale + Math.abs(e));
    if (Number.isFinite(lower) && lower < prevLower - slack) return { holds: false, violation: { branch: "e + alpha F/f", at: e } };
    if (Number.isFinite(upper) && upper < prevUpper - slack) return { holds: false, violation: { branch: "e - alpha (1-F)/f", at: e } };
    if (Number.isFinite(lower)) prevLower = lower;
    if (Number.isFinite(upper)) prevUpper = upper;
    prevE = e;
  }
  return { holds: true, violation: null };
}
