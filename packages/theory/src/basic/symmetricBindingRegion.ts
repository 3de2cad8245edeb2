import { findRootExpanding } from "@optex/numerics";
import type { Distribution } from "../laws/distribution.ts";
import { TheoryError } from "../theoryError.ts";

/**
 * Corollary 1.1's shortcut for a law symmetric about its mean mu: E[v] = mu, eB solves
 * eB - alpha (1 - F(eB))/f(eB) = mu and eA = 2 mu - eB. An independent route to Theorem 1's
 * general solve (solveVirtualType), used to check it. Throws TheoryError for an asymmetric law.
 */
export function symmetricBindingRegion(dist: Distribution, alpha: number): { eA: number; eB: number; meanVirtualType: number } {
  if (!dist.symmetric) throw new TheoryError(`Corollary 1.1 needs a law symmetric about its mean; ${dist.id} is not`);
  const mu = dist.mean;
  if (alpha === 0) return { eA: mu, eB: mu, meanVirtualType: mu };
  const eB = findRootExpanding((e) => e - alpha * dist.survivalOverPdf(e) - mu, mu, Math.sqrt(dist.variance), mu, dist.upper, {
    absoluteTolerance: 1e-14 * Math.sqrt(dist.variance),
  });
  return { eA: 2 * mu - eB, eB, meanVirtualType: mu };
}
