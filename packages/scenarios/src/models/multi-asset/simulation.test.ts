import { truthfulBidder } from "@optex/agents";
import { buildFee } from "@optex/fees";
import { integrate, maximize } from "@optex/numerics";
import { basicEnvironment, normal, optimalMechanismOutcome, radialMechanism, solveVirtualType } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { InputError } from "../../inputError.ts";
import { type MarketSimulation, runSimulation, type SimulationResult } from "../../montecarlo/marketSimulation.ts";
import { multiAssetMechanisms, multiAssetSimulations, type MultiAssetSimulationParams } from "./simulation.ts";
import { radialVirtualType } from "./radialVirtualType.ts";
import { besselLambda, radialTradeVolume } from "./tradeVolume.ts";

/** k assets, N = 3 + k traders, payoff sd != 1 and non-zero means, so every scaling is exercised. */
const paramsFor = (k: number): MultiAssetSimulationParams => ({
  assets: k,
  traders: 3 + k,
  kappa: 1.3,
  sigmaE: 0.8,
  sigmaPi: 1.4,
  alpha: 0.6,
  muE: 0.3,
  muPi: -0.2,
});
const ASSETS = [1, 2, 3, 4, 5];
const MARKETS = 40_000;

/** Markets of a simulation on a fresh stream: out[j][m] is quantity j of market m. */
function samples(sim: MarketSimulation, seed: string, count: number): Float64Array[] {
  const out = sim.quantities.map(() => new Float64Array(count));
  sim.runMarkets(seedrandom.alea(seed), count, out);
  return out;
}

/** Two-sided p-value of theory against the simulated mean (Student t with many markets: normal). */
function pValue(r: SimulationResult, key: string): number {
  const e = r.simulated[key]!;
  return 2 * normal(0, 1).survival(Math.abs(e.mean - r.theory[key]!) / e.standardError!);
}

/**
 * Holm's step-down procedure at family level 1% (valid whatever the dependence between checks,
 * e.g. between a mechanism's quantities, or the two mechanisms at k = 1, which coincide):
 * the checks whose theory it rejects.
 */
function holmRejections(checks: readonly { name: string; p: number }[], level = 0.01): string[] {
  const sorted = [...checks].sort((a, b) => a.p - b.p);
  const rejected: string[] = [];
  for (let j = 0; j < sorted.length; j++) {
    if (sorted[j]!.p > level / (sorted.length - j)) break;
    rejected.push(`${sorted[j]!.name} (p = ${sorted[j]!.p.toExponential(2)})`);
  }
  return rejected;
}

function checksOf(results: readonly SimulationResult[], label: string) {
  return results.flatMap((r) => Object.keys(r.theory).map((key) => ({ name: `${label} ${r.mechanism} ${key}`, p: pValue(r, key) })));
}

describe("multi-asset markets: the fast path is the engine's market", () => {
  test.each([1, 3])(
    "k = %i: fast path (LinearBooks, the fee charged as settleMarket does) and runMarket give the same markets to 1e-12",
    (k) => {
      const p = paramsFor(k);
      for (const mechanism of multiAssetMechanisms) {
        const [fast] = multiAssetSimulations(p, [mechanism], { path: "fast" });
        const [general] = multiAssetSimulations(p, [mechanism], { path: "general" });
        const a = samples(fast!, `paths-${k}`, 2000);
        const b = samples(general!, `paths-${k}`, 2000);
        let worst = 0;
        a.forEach((column, j) =>
          column.forEach((x, m) => {
            // The objective alpha R - (1 - alpha) H may cancel: relative to its two terms' size.
            const scale = j === 4 ? p.alpha * Math.abs(a[0]![m]!) + (1 - p.alpha) * Math.abs(a[1]![m]!) : Math.abs(x);
            worst = Math.max(worst, Math.abs(x - b[j]![m]!) / scale);
          }),
        );
        expect(worst, mechanism).toBeLessThanOrEqual(1e-12);
      }
    },
  );

  test("an unknown mechanism is an InputError naming the mechanisms", () => {
    expect(() => multiAssetSimulations(paramsFor(2), ["double-auction"])).toThrow(InputError);
    expect(() => multiAssetSimulations(paramsFor(2), ["double-auction"])).toThrow(/optimal, separate-auctions/);
  });
});

describe("multi-asset markets against theory, k = 1..5", () => {
  // Rule, for each k: its 10 checks (2 mechanisms x 5 quantities) against their theory, each a
  // two-sided test of the simulated mean (40,000 markets); Holm at family level 1% must reject none.
  test.each(ASSETS)(
    "k = %i: Proposition 8's fee with truthful radial bids gives Proposition 7 (revenue, holding cost, utility gain, objective, derived volume), and separate Proposition 3 auctions give k times Theorem 1",
    (k) => {
      const results = multiAssetSimulations(paramsFor(k)).map((sim) => runSimulation(sim, MARKETS, `theory-${k}`));
      const checks = checksOf(results, `k = ${k}`);
      expect(checks).toHaveLength(10);
      expect(holmRejections(checks)).toEqual([]);
      for (const r of results) {
        expect(r.noTradeMarkets).toBe(0);
        expect(r.worstExchangeImbalance).toBeLessThan(1e-13);
      }
    },
  );

  test("negative control: the printed Proposition 8 fee (prop8-printed) is rejected on every seed, and its revenue is what fails", () => {
    for (const seed of ["control-1", "control-2", "control-3"]) {
      for (const k of [2, 4]) {
        const [sim] = multiAssetSimulations(paramsFor(k), ["optimal"], { optimalFee: "prop8-printed" });
        expect(sim!.fee).toBe("prop8-printed");
        const r = runSimulation(sim!, 20_000, seed);
        const rejected = holmRejections(checksOf([r], `k = ${k}`));
        expect(
          rejected.some((name) => name.includes("revenuePerTrader")),
          `${seed}, k = ${k}: ${rejected.join("; ")}`,
        ).toBe(true);
      }
    }
  });

  test("Proposition 7's mechanism earns at least the separate auctions' objective: equal at k = 1 (market by market), strictly more for k >= 2 (paired on the same endowments)", () => {
    for (const k of ASSETS) {
      const [optimal, separate] = multiAssetSimulations(paramsFor(k));
      // Theory: the radial mechanism maximises the objective over all mechanisms for k assets.
      const gap = optimal!.theory.objectivePerTrader! - separate!.theory.objectivePerTrader!;
      const size = Math.abs(separate!.theory.revenuePerTrader!) + Math.abs(separate!.theory.holdingCostPerTrader!);
      const a = samples(optimal!, `paired-${k}`, 20_000);
      const b = samples(separate!, `paired-${k}`, 20_000);
      if (k === 1) {
        // One asset: both are Theorem 1 for N(mu_e, sigma_e^2); Proposition 8's fee is Proposition 3's.
        expect(Math.abs(gap)).toBeLessThan(1e-9 * size);
        let worst = 0;
        for (let j = 0; j < a.length; j++) for (let m = 0; m < a[j]!.length; m++) worst = Math.max(worst, Math.abs(a[j]![m]! - b[j]![m]!));
        expect(worst).toBeLessThan(1e-9 * size);
        continue;
      }
      expect(gap).toBeGreaterThan(0.01 * size);
      const d = a[4]!.map((x, m) => x - b[4]![m]!);
      const mean = d.reduce((s, x) => s + x, 0) / d.length;
      const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (d.length - 1));
      expect(mean / (sd / Math.sqrt(d.length)), `k = ${k}`).toBeGreaterThan(5);
    }
  });
});

describe("separate auctions: the one-asset Proposition 3 fee at capacity kappa / sigma_pi^2", () => {
  // A trader whose utility is mu_pi (e + q) - (sigma_pi^2 / (2 kappa)) (e + q)^2 - T (written with
  // sigma_pi and kappa, not with the capacity) faces the others' truthful bids along the residual
  // supply; the truthful quantity must be its best point. Built with capacity kappa (sigma_pi
  // forgotten), fee and bids are not a best response.
  const kappa = 1.3;
  const sigmaPi = 1.7;
  const muPi = 0.4;
  const N = 5;
  const dist = normal(0.3, 0.8);
  function regret(capacity: number): number {
    const env = basicEnvironment({ dist, kappa: capacity, traders: N, muPi });
    const vt = solveVirtualType(dist, 0.6);
    const fee = buildFee("prop3", { model: "basic", env, alpha: 0.6, vt }).schedule!;
    const bidder = truthfulBidder(vt, capacity, muPi);
    const rng = seedrandom.alea("scaling");
    let worst = 0;
    for (let market = 0; market < 20; market++) {
      const e = Array.from({ length: N }, () => dist.sample(rng));
      const others = e.slice(1).reduce((s, x) => s + bidder.intercept(x), 0);
      // Residual supply: the others sell q at p(q) = (sum of their intercepts + q) / ((N-1) slope).
      const price = (q: number) => (others + q) / ((N - 1) * bidder.slope);
      const payoff = (q: number) => {
        const p = price(q);
        return muPi * q - ((sigmaPi * sigmaPi) / (2 * kappa)) * ((e[0]! + q) ** 2 - e[0]! ** 2) - p * q - fee.fee(0, q, p);
      };
      const clearing = (others + bidder.intercept(e[0]!)) / (N * bidder.slope);
      const truthful = bidder.intercept(e[0]!) - bidder.slope * clearing;
      const best = maximize(payoff, truthful - 4, truthful + 4);
      worst = Math.max(worst, (best.value - payoff(truthful)) / ((sigmaPi * sigmaPi * 0.64) / kappa));
    }
    return worst;
  }
  test("truthful bids are best responses with capacity kappa / sigma_pi^2 (regret <= 1e-9 relative), not with kappa (> 1e-4)", () => {
    expect(regret(kappa / (sigmaPi * sigmaPi))).toBeLessThan(1e-9);
    expect(regret(kappa)).toBeGreaterThan(1e-4);
  });
});

describe("the derived pieces of the radial mechanism", () => {
  test("Lambda_k(z) = E cos(z U) agrees with its angular integral (1e-11), for k = 1..8 on both sides of the series/Hankel switch", () => {
    const q = { absTol: 1e-14, relTol: 1e-13, maxSubdivisions: 20000 };
    for (let k = 1; k <= 8; k++) {
      const lambda = besselLambda(k);
      for (const z of [0.3, 4, 11.99, 12.01, 30, 300]) {
        const reference =
          k === 1
            ? Math.cos(z)
            : integrate((t) => Math.cos(z * Math.cos(t)) * Math.sin(t) ** (k - 2), 0, Math.PI, q).value /
              integrate((t) => Math.sin(t) ** (k - 2), 0, Math.PI, q).value;
        expect(Math.abs(lambda(z) - reference), `k = ${k}, z = ${z}`).toBeLessThan(1e-11);
      }
    }
  });

  test("the derived trade volume at k = 1 is Theorem 1's for N(mu_e, sigma_e^2) (1e-8 relative)", () => {
    for (const [N, alpha] of [
      [2, 0.3],
      [5, 0.6],
      [9, 1],
    ] as const) {
      const env = { assets: 1, traders: N, kappa: 1.3, sigmaE: 0.8, sigmaPi: 1.4, alpha };
      const basic = basicEnvironment({ dist: normal(0.3, 0.8), kappa: 1.3 / 1.96, traders: N });
      const theorem1 = optimalMechanismOutcome(basic, solveVirtualType(basic.dist, alpha)).tradeVolumePerTrader;
      expect(Math.abs(radialTradeVolume(env) / theorem1 - 1)).toBeLessThan(1e-8);
    }
  });

  test("the closed-form radial virtual type is radialMechanism's v (1e-13 of sigma_e sqrt(k))", () => {
    for (const k of [1, 2, 3, 5, 8]) {
      for (const alpha of [0, 0.05, 0.6, 1]) {
        const env = { assets: k, traders: 4, kappa: 1, sigmaE: 0.8, sigmaPi: 1, alpha };
        const exact = radialMechanism(env);
        const fast = radialVirtualType(env);
        expect(fast.radius).toBe(exact.radius);
        for (let j = 0; j <= 400; j++) {
          const r = (j / 400) * 0.8 * (Math.sqrt(k) + 6);
          expect(Math.abs(fast.v(r) - exact.v(r)), `k = ${k}, alpha = ${alpha}, r = ${r}`).toBeLessThan(1e-13 * 0.8 * Math.sqrt(k));
        }
      }
    }
  });
});
