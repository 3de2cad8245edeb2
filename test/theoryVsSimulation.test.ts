import { modelById, runSimulation } from "@optex/scenarios";
import { basicEnvironment, parseDistribution } from "@optex/theory";
import { describe, expect, test } from "vitest";

const quantityNames = ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader", "tradeVolumePerTrader"] as const;

/** One mechanism of the basic model, run as markets through the model registry (what optex simulate runs). */
function simulateBasic(o: { env: ReturnType<typeof basicEnvironment>; alpha: number; mechanism: string; markets: number; seed: string }) {
  const point = { dist: o.env.dist.id, kappa: o.env.kappa, traders: o.env.traders, alpha: o.alpha, muPi: o.env.muPi };
  const sim = modelById("basic").simulations!(point, [o.mechanism])[0]!;
  return runSimulation(sim, o.markets, o.seed);
}

// Each case: Monte Carlo of the double auction (agents bid, the engine clears, fees are charged)
// against theory. 30,000 markets with a fixed seed: deterministic, and a theory error larger than
// about 3.3 standard errors (e.g. 1e-3 on revenue per trader for U[-1,1]) makes it fail.
const cases = [
  ["uniform:-1,1", 10, 1, 0.5, 0],
  ["normal:0.5,1", 5, 2, 0.8, 0.3],
  ["exponential:1", 4, 0.7, 1, -0.2],
] as const;

describe.each(cases)("%s, N = %s, kappa = %s, alpha = %s, mu_pi = %s", (dist, traders, kappa, alpha, muPi) => {
  const env = basicEnvironment({ dist: parseDistribution(dist), kappa, traders, muPi });
  test.each(["optimal", "first-best", "double-auction"] as const)("%s: simulated quantities agree with theory (99.9%)", (mechanism) => {
    const r = simulateBasic({ env, alpha, mechanism, markets: 30_000, seed: `agreement-${dist}-${mechanism}` });
    // Floating-point resolution: 1e-12 of the natural scale (autarky holding cost).
    const resolution = 1e-12 * ((env.dist.variance + env.dist.mean ** 2) / kappa);
    for (const q of quantityNames) {
      const est = r.simulated[q]!;
      expect(Math.abs(est.mean - r.theory[q]!), `${q}: simulated ${est.mean} vs theory ${r.theory[q]}`).toBeLessThanOrEqual(
        3.29 * est.standardError! + resolution,
      );
    }
    expect(r.noTradeMarkets).toBe(0);
    expect(r.worstExchangeImbalance).toBeLessThan(1e-12);
  });
});

test("the simulation can tell the mechanisms apart (power): optimal revenue is not the first best's", () => {
  const env = basicEnvironment({ dist: parseDistribution("uniform:-1,1"), kappa: 1, traders: 10, muPi: 0 });
  const optimal = simulateBasic({ env, alpha: 0.5, mechanism: "optimal", markets: 30_000, seed: "power" });
  const firstBest = simulateBasic({ env, alpha: 0.5, mechanism: "first-best", markets: 30_000, seed: "power" });
  // Theory for the first best is 0; the optimal mechanism's simulated revenue must reject it.
  expect(Math.abs(optimal.simulated.revenuePerTrader!.mean - firstBest.theory.revenuePerTrader!)).toBeGreaterThan(
    10 * optimal.simulated.revenuePerTrader!.standardError!,
  );
});

test("same seed, same numbers; different seed, different numbers", () => {
  const env = basicEnvironment({ dist: parseDistribution("normal:0,1"), kappa: 1, traders: 6, muPi: 0 });
  const run = (seed: string) => simulateBasic({ env, alpha: 0.3, mechanism: "optimal", markets: 70_000, seed });
  const a = run("s");
  const b = run("s");
  const c = run("t");
  const strip = (r: ReturnType<typeof run>) => JSON.stringify({ ...r, elapsedSeconds: 0 });
  expect(strip(a)).toBe(strip(b));
  expect(strip(a)).not.toBe(strip(c));
});
