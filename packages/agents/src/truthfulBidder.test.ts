import { type Distribution, normal, solveVirtualType, uniform, type VirtualType } from "@optex/theory";
import { describe, expect, test } from "vitest";
import { truthfulBidder } from "./truthfulBidder.ts";

/** The same virtual type without its exact forms: the bidder evaluates v through the law's functions. */
const withoutExactForms = (vt: VirtualType): VirtualType => ({ ...vt, vPieces: undefined, inverseIntegralPieces: undefined });

/**
 * Largest |a - b| / max(|b|, sigma_e) between two bidders' intercepts (one call and the batch) at
 * many endowments across and beyond the support, and at the breaks of v.
 */
function worstRelativeDifference(vt: VirtualType, a: VirtualType, b: VirtualType, kappa: number, muPi: number): number {
  const { dist } = vt;
  const sd = Math.sqrt(dist.variance);
  const es = [vt.eA, vt.eB, dist.lower, dist.upper].filter(Number.isFinite);
  for (let k = -1000; k <= 1000; k++) es.push(dist.mean + (k / 250) * sd);
  const endowments = Float64Array.from(es);
  const [bidA, bidB] = [truthfulBidder(a, kappa, muPi), truthfulBidder(b, kappa, muPi)];
  const [outA, outB] = [new Float64Array(es.length), new Float64Array(es.length)];
  bidA.interceptsInto(endowments, outA);
  bidB.interceptsInto(endowments, outB);
  let worst = 0;
  for (let i = 0; i < es.length; i++) {
    const floor = Math.max(Math.abs(outB[i]!), sd);
    worst = Math.max(worst, Math.abs(outA[i]! - outB[i]!) / floor, Math.abs(bidA.intercept(es[i]!) - outB[i]!) / floor);
  }
  return worst;
}

const cases: [string, Distribution, number, number, number][] = [
  ["U[-1,1], alpha 0.5", uniform(-1, 1), 0.5, 1, 0],
  ["U[0,3], alpha 1", uniform(0, 3), 1, 2, 0.3],
  ["U[1e6, 1e6 + 2], alpha 0.7", uniform(1e6, 1e6 + 2), 0.7, 0.5, 1e6],
  ["U[-1e-4, 3e-4], alpha 0.2", uniform(-1e-4, 3e-4), 0.2, 3, 0],
  ["N(0.3, 2), alpha 0", normal(0.3, 2), 0, 1, -0.1],
];

describe("truthful bidder: closed-form v (pieces) and v through the law's functions", () => {
  test.each(cases)("%s: intercepts agree to 1e-12 relative", (_name, dist, alpha, kappa, muPi) => {
    const vt = solveVirtualType(dist, alpha);
    expect(vt.vPieces).toBeDefined();
    expect(worstRelativeDifference(vt, vt, withoutExactForms(vt), kappa, muPi)).toBeLessThan(1e-12);
    const bid = truthfulBidder(vt, kappa, muPi);
    expect(bid.slope).toBe(kappa);
    expect(bid.id).toBe(alpha === 0 ? "truthful-first-best" : "truthful-virtual-type");
  });

  test("a deliberately wrong closed form fails the comparison", () => {
    const vt = solveVirtualType(uniform(-1, 1), 0.5);
    const P = vt.vPieces!;
    const wrongs = [
      { ...vt, vPieces: solveVirtualType(uniform(-1, 1), 0.5 * (1 + 1e-9)).vPieces }, // v of a slightly different alpha
      { ...vt, vPieces: P.transformed(0, 1, 1, 0, 1e-11, 0) }, // a wrong slope
      { ...vt, vPieces: P.transformed(0, 1, 1, 0, 0, 1e-11) }, // a wrong level
    ];
    for (const wrong of wrongs) expect(worstRelativeDifference(vt, wrong, withoutExactForms(vt), 1, 0)).toBeGreaterThan(1e-12);
  });
});
