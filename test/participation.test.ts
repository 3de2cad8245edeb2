import { truthfulBidder } from "@optex/agents";
import { clearLinearBook, createLinearBook } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import {
  basicEnvironment,
  type Distribution,
  exponential,
  normal,
  optimalMechanismOutcome,
  solveVirtualType,
  uniform,
  utilityGain,
} from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { meanAndHalfWidth } from "./support.ts";

/**
 * Trader 0 with a fixed endowment e0 trades against N-1 truthful traders with random endowments
 * under the Proposition 3 fee. Its average transfer and utility gain must match the direct
 * mechanism's interim transfer (eq. (4)) and gain (eq. (3)) of Theorem 1: in particular the gain
 * is 0 on [eA, eB], which is what the participation constant d is for.
 */
function interimBySimulation(dist: Distribution, alpha: number, traders: number, kappa: number, muPi: number, e0: number, markets: number) {
  const env = basicEnvironment({ dist, kappa, traders, muPi });
  const vt = solveVirtualType(dist, alpha);
  const fee = prop3Fee(env, vt);
  const strategy = truthfulBidder(vt, kappa, muPi);
  const book = createLinearBook(traders);
  book.slopes.fill(strategy.slope);
  const q = new Float64Array(traders);
  const rng = seedrandom.alea(`interim-${dist.id}-${e0}`);
  const transfers = new Float64Array(markets);
  const gains = new Float64Array(markets);
  for (let m = 0; m < markets; m++) {
    book.intercepts[0] = strategy.intercept(e0);
    for (let i = 1; i < traders; i++) book.intercepts[i] = strategy.intercept(dist.sample(rng));
    const p = clearLinearBook(book, q);
    const t = p * q[0]! + fee.fee(0, q[0]!, p);
    transfers[m] = t;
    gains[m] = utilityGain(e0, q[0]!, t, kappa, muPi);
  }
  return { theory: optimalMechanismOutcome(env, vt), vt, transfer: meanAndHalfWidth(transfers), gain: meanAndHalfWidth(gains) };
}

describe("Proposition 3 fee: interim transfers and participation", () => {
  test.each([
    ["U[-1,1]", uniform(-1, 1), 0.5, 5, 1, 0],
    ["N(0,1)", normal(0, 1), 0.8, 8, 1.5, 0.4],
    ["Exp(1)", exponential(1), 1, 4, 0.8, -0.3],
  ] as const)(
    "%s: gain is 0 on the binding region and matches eq. (3) outside; transfers match eq. (4)",
    (_name, dist, alpha, traders, kappa, muPi) => {
      const vt = solveVirtualType(dist, alpha);
      const inside = 0.5 * (vt.eA + vt.eB);
      const types = [inside, vt.eA + 0.1 * (vt.eB - vt.eA), dist.quantile(0.05), dist.quantile(0.95)];
      for (const e0 of types) {
        const r = interimBySimulation(dist, alpha, traders, kappa, muPi, e0, 40_000);
        const expectedGain = r.theory.interimUtilityGain(e0);
        if (e0 >= vt.eA && e0 <= vt.eB) expect(expectedGain).toBe(0);
        expect(Math.abs(r.gain.mean - expectedGain), `gain at e0 = ${e0}`).toBeLessThanOrEqual(r.gain.halfWidth + 1e-12);
        expect(Math.abs(r.transfer.mean - r.theory.interimTransfer(e0)), `transfer at e0 = ${e0}`).toBeLessThanOrEqual(
          r.transfer.halfWidth + 1e-12,
        );
      }
    },
  );

  test("the test has power: a participation constant off by 10% of d is detected on the binding region", () => {
    const dist = uniform(-1, 1);
    const r = interimBySimulation(dist, 0.5, 5, 1, 0, 0, 40_000);
    const d = prop3Fee(basicEnvironment({ dist, kappa: 1, traders: 5 }), r.vt).d;
    expect(Math.abs(r.gain.mean - 0.1 * d)).toBeGreaterThan(r.gain.halfWidth);
  });
});
