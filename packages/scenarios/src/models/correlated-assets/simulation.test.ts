import { normal } from "@optex/theory";
import { inverse, Matrix } from "ml-matrix";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { InputError } from "../../inputError.ts";
import { type MarketSimulation, runSimulation, type SimulationResult } from "../../montecarlo/marketSimulation.ts";
import { equicorrelatedCovariance } from "./auctions.ts";
import { type CorrelatedAssetsSimulationParams, correlatedAssetsMechanisms, correlatedAssetsSimulations } from "./simulation.ts";

const general = [
  [2, 0.8, -0.3],
  [0.8, 1.5, 0.4],
  [-0.3, 0.4, 1],
];

/** Environments the checks run on: a general Sigma, equicorrelated of both signs, and a diagonal one. */
const environments: readonly CorrelatedAssetsSimulationParams[] = [
  { traders: 5, kappa: 1.3, sigmaE: 0.8, covariance: general },
  { traders: 5, kappa: 1.3, sigmaE: 0.8, assets: 3, sigmaPi: 1.2, assetCorrelation: 0.5 },
  { traders: 12, kappa: 0.7, sigmaE: 1.5, assets: 4, sigmaPi: 0.9, assetCorrelation: -0.3 },
  {
    traders: 3,
    kappa: 2,
    sigmaE: 0.5,
    covariance: [
      [1, 0],
      [0, 3],
    ],
  },
];

const MARKETS = 20_000;
const standardNormal = normal(0, 1);

/**
 * Two-sided p-value of theory against the simulated mean (normal approximation; n >= 4000), the gap
 * first reduced by the simulation's declared rounding allowance (as its agreement check does).
 */
function pValue(r: SimulationResult, sim: MarketSimulation, key: string): number {
  const est = r.simulated[key]!;
  const gap = Math.max(0, Math.abs(est.mean - r.theory[key]!) - (sim.rounding?.[key] ?? 0));
  const se = est.standardError!;
  if (gap === 0) return 1;
  if (se === 0) return 0;
  const z = gap / se;
  return 2 * standardNormal.survival(z);
}

/**
 * The family rule: Holm's step-down at 1% over every (mechanism, quantity) check with a theory.
 * Returns the rejected checks (none expected when theory and simulation agree).
 */
function holmRejections(runs: readonly { result: SimulationResult; sim: MarketSimulation }[], alpha = 0.01): string[] {
  const checks = runs.flatMap(({ result: r, sim }, j) =>
    Object.keys(r.theory).map((key) => ({ name: `#${j} ${r.mechanism} ${key}`, p: pValue(r, sim, key) })),
  );
  checks.sort((a, b) => a.p - b.p);
  const rejected: string[] = [];
  for (let j = 0; j < checks.length; j++) {
    if (checks[j]!.p > alpha / (checks.length - j)) break;
    rejected.push(`${checks[j]!.name} (p = ${checks[j]!.p.toExponential(2)})`);
  }
  return rejected;
}

describe("correlated assets (Proposition 6) as markets", () => {
  test("the declared linear-books path and engine.runMarket give the same markets on the same stream", () => {
    for (const params of [environments[0]!, environments[2]!]) {
      for (const fee of ["prop6", "prop6-none"] as const) {
        const fast = correlatedAssetsSimulations(params, undefined, { fee, path: "linear-books" });
        const engine = correlatedAssetsSimulations(params, undefined, { fee, path: "engine" });
        fast.forEach((sim, s) => {
          const count = 200;
          const a = sim.quantities.map(() => new Float64Array(count));
          const b = sim.quantities.map(() => new Float64Array(count));
          const da = sim.runMarkets(seedrandom.alea("paths"), count, a);
          const db = engine[s]!.runMarkets(seedrandom.alea("paths"), count, b);
          expect(da).toEqual(db);
          for (let q = 0; q < a.length; q++)
            for (let m = 0; m < count; m++) {
              const x = a[q]![m]!;
              const y = b[q]![m]!;
              expect(Math.abs(x - y), `${sim.mechanism} ${fee} ${sim.quantities[q]!.key} market ${m}`).toBeLessThanOrEqual(
                1e-12 * Math.max(Math.abs(x), Math.abs(y)),
              );
            }
        });
      }
    }
  });

  test("every quantity of every mechanism agrees with its theory (Holm at 1% over the family); the derivatives leave no joint regret", () => {
    const runs: { result: SimulationResult; sim: MarketSimulation }[] = [];
    for (const [j, params] of environments.entries()) {
      for (const sim of correlatedAssetsSimulations(params)) {
        const r = runSimulation(sim, MARKETS, `p6-theory-${j}`);
        expect(r.noTradeMarkets).toBe(0);
        expect(r.worstExchangeImbalance).toBeLessThan(1e-14);
        // Both designs reach the efficient allocation (everybody holds the average endowment).
        expect(r.simulated.allocationErrorPerMarket!.mean).toBeLessThan(1e-13);
        if (sim.mechanism === "derivatives") {
          // Every market's mean over traders (so every trader's) relative regret: rounding only.
          const out = sim.quantities.map(() => new Float64Array(2000));
          sim.runMarkets(seedrandom.alea(`p6-regret-max-${j}`), 2000, out);
          expect(Math.max(...out[sim.quantities.findIndex((q) => q.key === "jointRegretPerTrader")]!)).toBeLessThan(1e-20);
        }
        runs.push({ result: r, sim });
      }
    }
    expect(runs.reduce((n, { result }) => n + Object.keys(result.theory).length, 0)).toBe(28);
    expect(holmRejections(runs)).toEqual([]);
  });

  test("theory: both designs' gain is the first best's (N-1)/N tr(Sigma) sigma_e^2 / (2 kappa), whatever the correlation", () => {
    for (const params of environments) {
      const sigma = params.covariance ?? equicorrelatedCovariance(params.assets!, params.sigmaPi!, params.assetCorrelation!);
      const trace = sigma.reduce((s, row, a) => s + row[a]!, 0);
      const N = params.traders;
      for (const sim of correlatedAssetsSimulations(params)) {
        expect(sim.theory.utilityGainPerTrader).toBeCloseTo((((N - 1) / N) * trace * params.sigmaE ** 2) / (2 * params.kappa), 10);
        expect(sim.theory.holdingCostPerTrader).toBeCloseTo((trace * params.sigmaE ** 2) / (2 * params.kappa * N), 12);
        expect(Math.abs(sim.theory.revenuePerTrader!)).toBeLessThan(1e-12);
      }
    }
  });

  test("asset auctions: joint deviations pay exactly when payoffs are correlated, by the closed form k tr(O M^-1 O) / (2 N tr Sigma)", () => {
    // Derived for this test (not in the simulation): trader i's gradient at its truthful trades is
    // -(1/kappa) O xbar (O: Sigma off its diagonal, xbar the average endowment), the Hessian is
    // -(1/kappa) M with M = diag(Sigma)/(N-1) + Sigma, so its regret is xbar' O M^{-1} O xbar / (2 kappa)
    // and E[xbar xbar'] = sigma_e^2 I / N.
    const closedForm = (sigma: number[][], N: number) => {
      const k = sigma.length;
      const O = new Matrix(sigma.map((row, a) => row.map((x, b) => (a === b ? 0 : x))));
      const M = new Matrix(sigma.map((row, a) => row.map((x, b) => x + (a === b ? x / (N - 1) : 0))));
      const product = O.mmul(inverse(M)).mmul(O);
      const trace = sigma.reduce((s, row, a) => s + row[a]!, 0);
      let tr = 0;
      for (let a = 0; a < k; a++) tr += product.get(a, a);
      return (k * tr) / (2 * N * trace);
    };
    for (const [j, params] of [environments[0]!, environments[1]!, environments[2]!].entries()) {
      const [sim] = correlatedAssetsSimulations(params, ["asset-auctions"]);
      const r = runSimulation(sim!, MARKETS, `p6-regret-${j}`);
      const est = r.simulated.jointRegretPerTrader!;
      expect(est.ci99![0]).toBeGreaterThan(0);
      const sigma = params.covariance ?? equicorrelatedCovariance(params.assets!, params.sigmaPi!, params.assetCorrelation!);
      const expected = closedForm(
        sigma.map((row) => [...row]),
        params.traders,
      );
      expect(expected).toBeGreaterThanOrEqual(est.ci99![0]);
      expect(expected).toBeLessThanOrEqual(est.ci99![1]);
    }
    // Correlation 0.5 with the brief's scale: about 0.111 of sigma_e^2 sigma_pi^2 / kappa (k = 3, N = 5).
    const uncorrelated = correlatedAssetsSimulations(
      { traders: 5, kappa: 1.3, sigmaE: 0.8, assets: 3, sigmaPi: 1.2, assetCorrelation: 0 },
      ["asset-auctions"],
    );
    expect(runSimulation(uncorrelated[0]!, 2000, "p6-regret-0").simulated.jointRegretPerTrader!.mean).toBeLessThan(1e-20);
  });

  test("negative controls fail on every seed: no fee (prop6-none) leaves joint regret; a theory with N - 1 for N is rejected", () => {
    const params = environments[1]!;
    for (const seed of ["c1", "c2", "c3"]) {
      const [none] = correlatedAssetsSimulations(params, ["derivatives"], { fee: "prop6-none" });
      expect(none!.fee).toBe("prop6-none");
      const r = runSimulation(none!, 4000, seed);
      expect(r.agreement.jointRegretPerTrader).toBe(false);
      expect(holmRejections([{ result: r, sim: none! }]).some((x) => x.includes("jointRegretPerTrader"))).toBe(true);

      const [right] = correlatedAssetsSimulations(params, ["derivatives"]);
      const N = params.traders;
      const wrong: MarketSimulation = {
        ...right!,
        theory: { ...right!.theory, holdingCostPerTrader: (right!.theory.holdingCostPerTrader! * N) / (N - 1) },
      };
      const w = runSimulation(wrong, MARKETS, seed);
      const rejected = holmRejections([{ result: w, sim: wrong }]);
      expect(rejected).toHaveLength(1);
      expect(rejected[0]).toMatch(/holdingCostPerTrader/);
    }
  });

  test("bad parameters and unknown mechanisms are one-line InputErrors", () => {
    const ok = environments[0]!;
    expect(() => correlatedAssetsSimulations(ok, ["optimal"])).toThrow(InputError);
    expect(() => correlatedAssetsSimulations(ok, ["optimal"])).toThrow(
      /mechanism "optimal" is not one of correlated-assets': derivatives, asset-auctions/,
    );
    expect(() =>
      correlatedAssetsSimulations({
        ...ok,
        covariance: [
          [1, 2],
          [2, 1],
        ],
      }),
    ).toThrow(/positive definite/);
    expect(() => correlatedAssetsSimulations({ traders: 5, kappa: 1, sigmaE: 1, assets: 3 })).toThrow(
      /need a covariance, or assets, sigma-pi and asset-correlation/,
    );
    expect(() => correlatedAssetsSimulations({ traders: 5, kappa: 1, sigmaE: 1, assets: 3, sigmaPi: 1, assetCorrelation: -0.5 })).toThrow(
      /asset-correlation must be in \(-0.5, 1\)/,
    );
    expect(() => correlatedAssetsSimulations({ ...ok, traders: 1 })).toThrow(InputError);
    expect(correlatedAssetsSimulations(ok).map((s) => s.mechanism)).toEqual([...correlatedAssetsMechanisms]);
  });
});
