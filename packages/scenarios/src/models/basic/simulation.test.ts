import { basicEnvironment, parseDistribution } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { basicMechanism, basicMechanisms, basicSimulation } from "./simulation.ts";

/** The largest |fast - general| over every market and quantity, relative to max(1, |general|). */
function largestDifference(
  dist: string,
  traders: number,
  kappa: number,
  muPi: number,
  mechanism: (typeof basicMechanisms)[number],
  markets: number,
): number {
  const env = basicEnvironment({ dist: parseDistribution(dist), kappa, traders, muPi });
  const m = basicMechanism(mechanism, env, 0.6);
  const fast = basicSimulation(env, m, "fast");
  const general = basicSimulation(env, m, "general");
  const out = (n: number) => [0, 1, 2, 3].map(() => new Float64Array(n));
  const a = out(markets);
  const b = out(markets);
  const da = fast.runMarkets(seedrandom.alea("paths"), markets, a);
  const db = general.runMarkets(seedrandom.alea("paths"), markets, b);
  expect(da.noTradeMarkets).toBe(db.noTradeMarkets);
  let worst = 0;
  for (let q = 0; q < 4; q++)
    for (let k = 0; k < markets; k++) worst = Math.max(worst, Math.abs(a[q]![k]! - b[q]![k]!) / Math.max(1, Math.abs(b[q]![k]!)));
  return worst;
}

describe("basic model: the batch fast path and the general path (schedules -> clear -> settle) agree", () => {
  test.each([
    ["uniform:-1,1", 10, 1, 0],
    ["normal:0.3,1.2", 5, 2.5, -0.4],
    ["exponential:1.5", 4, 0.7, 1.2],
  ] as const)("%s, N = %i, kappa = %f, mu_pi = %f: every market's four quantities to 1e-12", (dist, traders, kappa, muPi) => {
    for (const mechanism of basicMechanisms)
      expect(largestDifference(dist, traders, kappa, muPi, mechanism, 2000)).toBeLessThanOrEqual(1e-12);
  });

  test("the comparison can fail: a general path on another stream differs", () => {
    const env = basicEnvironment({ dist: parseDistribution("uniform:-1,1"), kappa: 1, traders: 6, muPi: 0 });
    const m = basicMechanism("optimal", env, 0.5);
    const a = [0, 1, 2, 3].map(() => new Float64Array(10));
    const b = [0, 1, 2, 3].map(() => new Float64Array(10));
    basicSimulation(env, m, "fast").runMarkets(seedrandom.alea("x"), 10, a);
    basicSimulation(env, m, "general").runMarkets(seedrandom.alea("y"), 10, b);
    expect(Math.abs(a[1]![0]! - b[1]![0]!)).toBeGreaterThan(1e-6);
  });
});
