import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { normal } from "../laws/normal.ts";
import { heterogeneousOutcome, solveHeterogeneous } from "./heterogeneous.ts";

// A trader whose law lies many of its sds from the others' (and from its own flat level L_i):
// quadrature and moments must not assume the law sits near the level.
describe("Theorem 5 with one trader's law far from the others'", () => {
  test("alpha = 0: the first best's closed form X_i = -e_i + (kappa_i / K) sum_j e_j, for means 0 to 1e6", () => {
    const kappas = [1, 2, 3];
    const K = 6;
    const muPi = 0.7;
    for (const mean of [0, 30, 100, 1e3, 1e6]) {
      const mus = [mean, 0, 0];
      const sds = [1, 1, 2];
      const specs = mus.map((m, i) => ({ dist: normal(m, sds[i]!), kappa: kappas[i]! }));
      const out = heterogeneousOutcome(solveHeterogeneous(specs, 0), muPi);
      const sumMu = mus.reduce((a, b) => a + b, 0);
      const sumVar = sds.reduce((a, s) => a + s * s, 0);
      out.forEach((o, i) => {
        const k = kappas[i]!;
        const mu = mus[i]!;
        const v = sds[i]! ** 2;
        const level = (k * (sumMu - mu)) / (K - k);
        const trade = -mu + (k / K) * sumMu;
        const holding = ((k / K) ** 2 * (sumVar + sumMu * sumMu)) / (2 * k);
        const autarky = (v + mu * mu) / (2 * k);
        // G_i(e) = (share / kappa_i)(e - L_i)^2 / 2: participation binds at e = L_i.
        const gain = (((K - k) / K) * (v + (mu - level) ** 2)) / (2 * k);
        const revenue = muPi * trade - (holding - autarky) - gain;
        const close = (got: number, want: number, what: string) =>
          expect(Math.abs(got - want), `mean ${mean}, trader ${i + 1}: ${what} ${got} vs ${want}`).toBeLessThanOrEqual(
            1e-9 * Math.max(Math.abs(want), 1),
          );
        close(o.expectedTrade, trade, "E[X]");
        close(o.holdingCost, holding, "holding cost");
        close(o.utilityGain, gain, "utility gain");
        close(o.revenue, revenue, "revenue");
      });
    }
  });

  test("holding costs are >= 0 and every per-trader quantity is finite for random laws across the documented range", () => {
    const rng = seedrandom.alea("far laws");
    const logUniform = (lo: number, hi: number) => 10 ** (lo + (hi - lo) * rng());
    for (let trial = 0; trial < 40; trial++) {
      const specs = [0, 1, 2].map(() => {
        const sd = logUniform(-9, 9);
        const bound = Math.min(1e9, 1e9 * sd);
        const mean = (rng() < 0.5 ? -1 : 1) * bound * rng() ** 3;
        return { dist: normal(mean, sd), kappa: logUniform(-1, 1) };
      });
      for (const alpha of [0, 0.5, 1]) {
        const label = `${specs.map((s) => `normal:${s.dist.mean},${Math.sqrt(s.dist.variance)} k=${s.kappa}`).join("; ")} alpha ${alpha}`;
        const out = heterogeneousOutcome(solveHeterogeneous(specs, alpha), 0.3);
        for (const o of out) {
          expect(o.holdingCost, label).toBeGreaterThanOrEqual(0);
          expect(o.utilityGain, label).toBeGreaterThanOrEqual(0);
          for (const x of [o.holdingCost, o.revenue, o.utilityGain, o.expectedTrade, o.flatLevel, o.meanVirtualType])
            expect(Number.isFinite(x), label).toBe(true);
        }
      }
    }
  });
});
