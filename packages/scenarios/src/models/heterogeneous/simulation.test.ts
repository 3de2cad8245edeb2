import { normal, parseDistribution } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, it } from "vitest";
import { InputError } from "../../inputError.ts";
import { type MarketSimulation, runSimulation, type SimulationResult } from "../../montecarlo/marketSimulation.ts";
import { heterogeneousMechanisms, type HeterogeneousSimulationParams, heterogeneousSimulations } from "./simulation.ts";

const laws = (spec: string) => spec.split(";").map((s) => parseDistribution(s));

// Four different traders: different laws (one skewed), capacities and means, so expected trades
// E[X_i] are far from 0 and every trader has its own flat level.
const mixed: HeterogeneousSimulationParams = {
  dists: laws("normal:0.5,0.5;uniform:-1,1;exponential:1;normal:-0.3,1.5"),
  kappas: [1, 2, 0.5, 1.5],
  alpha: 0.6,
  muPi: 0.25,
};
// Identical traders: Section 7 reduces to the basic model, where trade volume has theory.
const identical: HeterogeneousSimulationParams = {
  dists: laws("normal:0.2,1;normal:0.2,1;normal:0.2,1;normal:0.2,1"),
  kappas: [1.5, 1.5, 1.5, 1.5],
  alpha: 0.4,
  muPi: -0.1,
};

const MARKETS = 200_000;
const FAMILY_LEVEL = 0.01;

/**
 * Two-sided p-value of theory against the simulated mean (z test: 2e5 iid markets), the distance
 * first reduced by the simulation's stated rounding allowance (the plain auction's total revenue is
 * 0 but for rounding), as its agreement check does.
 */
function pValue(sim: MarketSimulation, result: SimulationResult, key: string): number {
  const est = result.simulated[key]!;
  const distance = Math.max(0, Math.abs(est.mean - result.theory[key]!) - (sim.rounding?.[key] ?? 0));
  return distance === 0 ? 1 : 2 * normal(0, 1).survival(distance / est.standardError!);
}

/**
 * Holm's step-down test of every checked quantity of `results` at family-wise level `level` (valid
 * whatever the dependence between the quantities of one market): the checks it rejects.
 */
function holmRejections(runs: readonly Run[], level: number): string[] {
  const tests = runs.flatMap(({ sim, result: r }) =>
    Object.keys(r.theory).map((key) => ({ name: `${r.mechanism} (${r.fee}): ${key}`, p: pValue(sim, r, key) })),
  );
  tests.sort((a, b) => a.p - b.p);
  const rejected: string[] = [];
  for (let j = 0; j < tests.length; j++) {
    if (!(tests[j]!.p <= level / (tests.length - j))) break;
    rejected.push(`${tests[j]!.name} (p = ${tests[j]!.p.toExponential(2)})`);
  }
  return rejected;
}

interface Run {
  readonly sim: MarketSimulation;
  readonly result: SimulationResult;
}

/** Runs every simulation on its own seed (distinct seeds: the mechanisms' checks do not share draws). */
function runAll(sims: readonly MarketSimulation[], seed: string, markets = MARKETS): Run[] {
  return sims.map((sim) => ({ sim, result: runSimulation(sim, markets, `${seed}/${sim.mechanism}`) }));
}

describe("heterogeneous traders (Section 7): simulated markets against Theorem 5 and the double auction's equilibrium", () => {
  it("the declared fast path (LinearBook) and the general path (engine.runMarket) give the same markets on the same stream", () => {
    const count = 3000;
    const cases = [
      { params: mixed, mechanisms: heterogeneousMechanisms, options: {} },
      { params: identical, mechanisms: heterogeneousMechanisms, options: {} },
      { params: mixed, mechanisms: ["optimal"], options: { fee: "prop10-none" } },
    ];
    for (const { params, mechanisms, options } of cases) {
      {
        const fast = heterogeneousSimulations(params, mechanisms, { ...options, path: "fast" });
        const engine = heterogeneousSimulations(params, mechanisms, { ...options, path: "general" });
        fast.forEach((sim, s) => {
          const a = sim.quantities.map(() => new Float64Array(count));
          const b = sim.quantities.map(() => new Float64Array(count));
          const da = sim.runMarkets(seedrandom.alea("paths"), count, a);
          const db = engine[s]!.runMarkets(seedrandom.alea("paths"), count, b);
          expect(da.noTradeMarkets).toBe(db.noTradeMarkets);
          expect(Math.max(da.worstImbalance, db.worstImbalance)).toBeLessThan(1e-14);
          let worst = 0;
          for (let m = 0; m < count; m++) {
            // Relative to the market's scale: the double auction's total revenue, p sum_i X_i, is
            // 0 but for rounding, which the two clearings do differently.
            let scale = 0;
            for (const q of a) scale = Math.max(scale, Math.abs(q[m]!));
            for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]![m]! - b[j]![m]!) / scale);
          }
          expect(worst, `${sim.mechanism} (${sim.fee})`).toBeLessThan(1e-12);
        });
      }
    }
  });

  // Rule: Holm's step-down procedure over all of a configuration's checks (every quantity with
  // theory, of every mechanism) at family-wise level 1% must reject none.
  it("different traders: every quantity of every mechanism agrees with its theory (Holm, 1% family-wise)", () => {
    const runs = runAll(heterogeneousSimulations(mixed), "mixed");
    // Per trader: revenue, holding cost, gain and E[X_i] (trade volume has no theory here); totals.
    expect(runs.map((r) => Object.keys(r.result.theory).length)).toEqual([19, 19, 19]);
    expect(runs.every((r) => r.result.noTradeMarkets === 0)).toBe(true);
    // The test has power: expected trades are far from 0 in SE units.
    const optimal = runs[0]!.result;
    expect(Math.abs(optimal.theory.trader3Trade!) / optimal.simulated.trader3Trade!.standardError!).toBeGreaterThan(50);
    expect(holmRejections(runs, FAMILY_LEVEL)).toEqual([]);
  });

  it("identical traders: every quantity, trade volume included, agrees with its theory (Holm, 1% family-wise)", () => {
    const runs = runAll(heterogeneousSimulations(identical), "identical");
    expect(runs.map((r) => Object.keys(r.result.theory).length)).toEqual([23, 23, 23]);
    expect(holmRejections(runs, FAMILY_LEVEL)).toEqual([]);
  });

  // Negative control: truthful virtual-type bids without Proposition 10's fees (registry id
  // prop10-none) must be told apart from Theorem 5, on every seed.
  it("control: without the fee (prop10-none) the markets fail Theorem 5's checks on every seed", () => {
    for (const seed of ["control-1", "control-2", "control-3"]) {
      const runs = runAll(heterogeneousSimulations(mixed, ["optimal"], { fee: "prop10-none" }), seed, 50_000);
      expect(runs[0]!.result.fee).toBe("prop10-none");
      expect(runs[0]!.result.agreement.totalRevenue).toBe(false);
      const rejected = holmRejections(runs, FAMILY_LEVEL);
      expect(rejected.some((r) => r.includes("totalRevenue"))).toBe(true);
    }
  });

  // One trader's law 100 and 1e4 of its sds from the others' (and from its flat level): Theorem 5
  // and the first best must still match the markets.
  it("a trader far from the others: the optimal mechanism and the first best agree with theory (Holm, 1% family-wise)", () => {
    for (const mean of [100, 1e4]) {
      const far: HeterogeneousSimulationParams = {
        dists: laws(`normal:${mean},1;normal:0,1;normal:0,2`),
        kappas: [1, 2, 3],
        alpha: 0.5,
        muPi: 0,
      };
      const runs = runAll(heterogeneousSimulations(far, ["optimal", "first-best"]), `far-${mean}`, 50_000);
      expect(holmRejections(runs, FAMILY_LEVEL), `mean ${mean}`).toEqual([]);
    }
  });

  it("labels name the trader or the total, with their unit", () => {
    const [sim] = heterogeneousSimulations(mixed, ["optimal"]);
    const labels = Object.fromEntries(sim!.quantities.map((q) => [q.key, q.label]));
    expect(labels.trader1Revenue).toMatch(/^revenue from trader 1 .*per market/);
    expect(labels.trader4TradeVolume).toMatch(/^trade volume of trader 4 /);
    expect(labels.totalUtilityGain).toMatch(/^total utility gain .*per market/);
    expect(sim!.quantities.length).toBe(5 * 4 + 3);
  });

  it("mechanisms that do not exist here, unknown ids and mismatched parameters are input errors", () => {
    const two = { dists: laws("normal:0,1;normal:1,2"), kappas: [1, 2], alpha: 0.5, muPi: 0 };
    expect(() => heterogeneousSimulations(two, ["double-auction"])).toThrow(InputError);
    expect(() => heterogeneousSimulations(two, ["double-auction"])).toThrow(/no linear equilibrium with 2 traders/);
    expect(heterogeneousSimulations(two, ["optimal", "first-best"]).length).toBe(2);
    expect(() => heterogeneousSimulations(mixed, ["robust"])).toThrow(/unknown mechanism "robust"/);
    expect(() => heterogeneousSimulations({ ...mixed, kappas: [1, 2] })).toThrow(InputError);
    expect(() => heterogeneousSimulations(mixed, ["optimal"], { fee: "prop3" })).toThrow(InputError);
  });
});
