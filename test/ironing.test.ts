import { regretOf, truthfulBidder } from "@optex/agents";
import { prop3Fee } from "@optex/fees";
import {
  basicEnvironment,
  ironedOutcome,
  ironVirtualType,
  optimalMechanismOutcome,
  parseDistribution,
  solveVirtualType,
  type VirtualType,
} from "@optex/theory";
import seedrandom from "seedrandom";
import { cli } from "./run.ts";
import { describe, expect, test } from "vitest";

// Three laws that fail Condition 1: a symmetric and an asymmetric bimodal mixture (the asymmetric
// one pools types outside the binding region) and a heavy-tailed mixture.
const LAWS = [
  ["mixture:0.5*normal:-1,0.5+0.5*normal:1,0.5", 0.5],
  ["mixture:0.9*normal:0,0.5+0.1*normal:3,0.3", 0.25],
  ["mixture:0.7*student-t:4,0,0.5+0.3*normal:2.5,0.4", 0.5],
] as const;

describe("ironed mechanisms as markets", () => {
  test.each(LAWS)("%s at alpha = %d: Theorem 1's outcome agrees with the ironing's own quadrature", (spec, alpha) => {
    const dist = parseDistribution(spec);
    const env = basicEnvironment({ dist, kappa: 1, traders: 5, muPi: 0 });
    const vt = solveVirtualType(dist, alpha);
    expect(vt.condition1Holds).toBe(false);
    const a = optimalMechanismOutcome(env, vt);
    const b = ironedOutcome(env, ironVirtualType(dist, alpha));
    for (const q of ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader"] as const)
      expect(Math.abs(a[q] - b[q]) / (dist.variance / env.kappa), q).toBeLessThan(1e-7);
  });

  test.each(LAWS)(
    "%s at alpha = %d: optex ic passes (regret <= 1e-9 relative) and optex simulate agrees with the theory",
    async (spec, alpha) => {
      const ic = await cli(
        "ic",
        "--dist",
        spec,
        "--alpha",
        String(alpha),
        "--traders",
        "5",
        "--cases",
        "25",
        "--participation-markets",
        "2000",
        "--json",
      );
      expect(ic.status, ic.stdout + ic.stderr).toBe(0);
      const sim = await cli(
        "simulate",
        "--dist",
        spec,
        "--alpha",
        String(alpha),
        "--traders",
        "5",
        "--mechanism",
        "optimal",
        "--markets",
        "30000",
        "--seed",
        "ironing",
        "--json",
      );
      expect(sim.status, sim.stderr).toBe(0);
      expect(JSON.parse(sim.stdout).verdict.consistent).toBe(true);
    },
    180_000,
  );

  test("participation binds on the binding region and is slack on the pooled piece (interim gains of Theorem 1's mechanism)", () => {
    const dist = parseDistribution(LAWS[1][0]);
    const env = basicEnvironment({ dist, kappa: 1, traders: 5, muPi: 0 });
    const vt = solveVirtualType(dist, LAWS[1][1]);
    const o = optimalMechanismOutcome(env, vt);
    for (const e of [vt.eA, (vt.eA + vt.eB) / 2, vt.eB]) expect(Math.abs(o.interimUtilityGain(e))).toBeLessThan(1e-12);
    const pooled = vt.pooled![0]!;
    expect(o.interimUtilityGain((pooled.from + pooled.to) / 2)).toBeGreaterThan(1e-3);
  });
});

describe("negative control: the unironed virtual type in the fee", () => {
  test("on the asymmetric bimodal law, truthful bids of the unironed v under its fee have regret in every market with a pooled type", () => {
    const dist = parseDistribution(LAWS[1][0]);
    const alpha = LAWS[1][1];
    const env = basicEnvironment({ dist, kappa: 1, traders: 5, muPi: 0 });
    const ironed = solveVirtualType(dist, alpha);
    // Theorem 1's formula with its binding region but without ironing: not monotone on the pooled piece.
    const unironed = (vt: VirtualType): VirtualType => {
      const d = vt.dist;
      const v = (e: number) => (e < vt.eA ? e + alpha * d.cdfOverPdf(e) : e > vt.eB ? e - alpha * d.survivalOverPdf(e) : vt.flatLevel);
      const [lo, hi] = [d.quantile(1e-12), d.quantile(1 - 1e-12)];
      const vInverse = (s: number) => {
        let a = lo;
        let b = hi;
        for (let k = 0; k < 200; k++) {
          const mid = 0.5 * (a + b);
          if (v(mid) >= s) b = mid;
          else a = mid;
        }
        return b;
      };
      return { ...vt, v, vInverse, pooled: [], pooledLevels: [] };
    };
    const z = unironed(ironed.standardized);
    const vt: VirtualType = { ...unironed(ironed), standardized: z };
    const fee = prop3Fee(env, vt);
    const bidder = truthfulBidder(vt, env.kappa, env.muPi);
    const pooled = ironed.pooled![0]!;
    const rng = seedrandom.alea("unironed");
    const scale = dist.variance / env.kappa;
    for (let m = 0; m < 10; m++) {
      // Trader 0 inside the pooled piece's dip; the others drawn from the law.
      const e0 = pooled.from + (0.4 + 0.2 * rng()) * (pooled.to - pooled.from);
      const endowments = [e0, ...Array.from({ length: 4 }, () => dist.sample(rng))];
      const schedules = endowments.map((e) => bidder.bid(e)[0]!);
      const r = regretOf({ endowment: e0, kappa: 1, muPi: 0, others: schedules.slice(1), fee, trader: 0 }, schedules[0]!);
      expect(r.regret / scale, `market ${m}, e0 = ${e0}`).toBeGreaterThan(1e-4);
    }
  });
});
