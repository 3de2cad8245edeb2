import { adverseSelectionSleBidder } from "@optex/agents";
import { laplace, mixture, normal, uniform } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { InputError } from "../../inputError.ts";
import { type MarketSimulation, runSimulation, type SimulationResult } from "../../montecarlo/marketSimulation.ts";
import {
  type AdverseSelectionLaws,
  type AdverseSelectionSimulationParams,
  adverseSelectionLawsSimulations,
  adverseSelectionSimulations,
} from "./simulation.ts";

const independent: AdverseSelectionSimulationParams = { traders: 5, kappa: 1, muE: 0.2, sigmaE: 1, sigmaZeta: 0.5, rho: 0, alpha: 0.5 };
const correlated: AdverseSelectionSimulationParams = {
  traders: 4,
  kappa: 1.5,
  muE: -0.3,
  sigmaE: 1.2,
  sigmaZeta: 0.4,
  rho: 0.4,
  alpha: 0.3,
};
const manyTraders: AdverseSelectionSimulationParams = { traders: 8, kappa: 0.7, muE: 0, sigmaE: 0.8, sigmaZeta: 0.6, rho: 0, alpha: 0.9 };

interface Check {
  readonly label: string;
  readonly pValue: number;
}

/**
 * Two-sided p-values of theory against the simulated means (normal approximation: >= 10^4 markets),
 * past the simulation's declared rounding allowance (the plain auction's revenue is 0 only up to it).
 */
function checksOf(sim: MarketSimulation, result: SimulationResult): Check[] {
  const std = normal(0, 1);
  return Object.entries(result.theory).map(([key, theory]) => {
    const est = result.simulated[key]!;
    const distance = Math.max(0, Math.abs(est.mean - theory) - (sim.rounding?.[key] ?? 0));
    const z = est.standardError! > 0 ? distance / est.standardError! : distance > 0 ? Infinity : 0;
    return {
      label: `${result.mechanism}/${result.fee} ${key}: simulated ${est.mean} +- ${est.standardError}, theory ${theory}`,
      pValue: 2 * std.survival(z),
    };
  });
}

/**
 * The family's rule: Holm at 1% family-wise. Its first step rejects when the smallest p-value is
 * below 0.01/k (k checks), and no later step can reject without it, so the family passes exactly
 * when every p-value is at least 0.01/k. Returns the rejected checks (empty: the family passes).
 */
function holmRejections(checks: readonly Check[]): Check[] {
  const sorted = [...checks].sort((a, b) => a.pValue - b.pValue);
  const rejected: Check[] = [];
  for (let j = 0; j < sorted.length; j++) {
    if (sorted[j]!.pValue >= 0.01 / (sorted.length - j)) break;
    rejected.push(sorted[j]!);
  }
  return rejected;
}

function run(sims: readonly MarketSimulation[], markets: number, seed: string): Check[] {
  return sims.flatMap((sim) => checksOf(sim, runSimulation(sim, markets, seed)));
}

describe("adverse selection (Section 5) as markets", () => {
  test("fast path (linear books) and general path (schedules -> clear -> settle via runMarket; the robust mechanism's own functions) agree market by market to 1e-12 relative", () => {
    const cases: [AdverseSelectionSimulationParams, string, string | undefined][] = [
      [independent, "optimal", undefined],
      [correlated, "double-auction", undefined],
      [correlated, "robust", undefined],
    ];
    for (const [p, mechanism, optimalFee] of cases) {
      const count = 300;
      const outputs = (["fast", "general"] as const).map((path) => {
        const [sim] = adverseSelectionSimulations(p, [mechanism], { path, ...(optimalFee ? { optimalFee } : {}) });
        const out = sim!.quantities.map(() => new Float64Array(count));
        const diagnostics = sim!.runMarkets(seedrandom.alea("paths"), count, out);
        return { out, diagnostics };
      });
      const [fast, general] = outputs;
      expect(fast!.diagnostics).toEqual(general!.diagnostics);
      fast!.out.forEach((column, j) => {
        for (let m = 0; m < count; m++) {
          const a = column[m]!;
          const b = general!.out[j]![m]!;
          expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(a), Math.abs(b)));
        }
      });
    }
  });

  // Each family of checks (one parameter point) is judged by Holm at 1% family-wise (holmRejections).
  test("optimal (Proposition 5's fee) agrees with Theorem 3: revenue, holding cost, utility gain, trade volume per trader", () => {
    const checks = [
      ...run(adverseSelectionSimulations(independent, ["optimal"]), 60_000, "theory"),
      ...run(adverseSelectionSimulations(manyTraders, ["optimal"]), 30_000, "theory"),
    ];
    expect(checks).toHaveLength(8);
    expect(holmRejections(checks).map((c) => c.label)).toEqual([]);
  });

  test("double auction (Lemma 4, Corollary 3.2) and robust mechanism (Theorem 4) agree with theory, independent and correlated signals", () => {
    const [auction, robust] = adverseSelectionSimulations(correlated, ["double-auction", "robust"]);
    expect(auction!.theory.priceInformativeness).toBeUndefined();
    // With correlated signals the statistic has no theory to report; the test checks it against
    // Gaussian conditioning in information form, Var(S | Y) = 1/(1/Var S + b^2/(a^2 N sigma_e^2)),
    // Y = -a sum_j (e_j - mu_e) + b S (the simulation uses the covariance form).
    const { a, b } = adverseSelectionSleBidder(correlated);
    const N = correlated.traders;
    const varS = N * correlated.sigmaZeta ** 2 * (1 + (N - 1) * correlated.rho);
    const conditional = 1 / (1 / varS + (b * b) / (a * a * N * correlated.sigmaE ** 2));
    const checks = [
      ...run(adverseSelectionSimulations(independent, ["double-auction", "robust"]), 100_000, "theory"),
      ...run([{ ...auction!, theory: { ...auction!.theory, priceInformativeness: conditional } }, robust!], 100_000, "theory"),
    ];
    // 3 + 2 + 3 + 2 quantities with theory.
    expect(checks).toHaveLength(10);
    expect(holmRejections(checks).map((c) => c.label)).toEqual([]);
  });

  test("negative controls: Proposition 5's fee without psi(S) q, or no fee, fail the same rule on every seed", () => {
    for (const optimalFee of ["prop5-no-psi", "prop5-none"]) {
      const sims = adverseSelectionSimulations(independent, ["optimal"], { optimalFee });
      for (const seed of ["1", "2", "3"]) {
        const checks = run(sims, 10_000, seed);
        const rejected = holmRejections(checks);
        expect(rejected.map((c) => c.label.split(":")[0])).toContain(`optimal/${optimalFee} revenuePerTrader`);
      }
    }
  });

  test("labels say per trader, total or per market; notes say what runs", () => {
    const sims = adverseSelectionSimulations(independent);
    expect(sims.map((s) => s.mechanism)).toEqual(["optimal", "double-auction", "robust"]);
    for (const sim of sims) for (const q of sim.quantities) expect(q.label).toMatch(/per trader|total|per market/);
    expect(sims.find((s) => s.mechanism === "robust")!.note).toMatch(/direct mechanism/);
    expect(sims.find((s) => s.mechanism === "double-auction")!.theory.priceInformativeness).toBeCloseTo(
      independent.traders * 0.25 * 0.8,
      12,
    );
  });

  test("mechanisms that do not exist for the parameters: one-line InputError; omitted, only those that exist", () => {
    expect(() => adverseSelectionSimulations(correlated, ["optimal"])).toThrow(InputError);
    expect(() => adverseSelectionSimulations(correlated, ["optimal"])).toThrow(/Theorem 3 is stated for independent signals/);
    expect(adverseSelectionSimulations(correlated).map((s) => s.mechanism)).toEqual(["double-auction", "robust"]);
    const noisy = { ...independent, sigmaZeta: 5 };
    expect(() => adverseSelectionSimulations(noisy, ["double-auction"])).toThrow(InputError);
    expect(() => adverseSelectionSimulations(noisy, ["double-auction"])).toThrow(/^double-auction: [^\n]+$/);
    expect(() => adverseSelectionSimulations(independent, ["first-best"])).toThrow(/not one of model adverse-selection's/);
    expect(() => adverseSelectionSimulations({ ...independent, traders: 1 })).toThrow(InputError);
    expect(() => adverseSelectionSimulations(independent, ["optimal"], { optimalFee: "prop3" })).toThrow(InputError);
  });
});

describe("adverse selection as markets with any laws (Theorem 3 and Proposition 5's psi by convolution)", () => {
  const skewed = mixture([
    { weight: 0.7, law: normal(0, 0.6) },
    { weight: 0.3, law: normal(1.5, 0.4) },
  ]);
  const cases: [{ traders: number; kappa: number; alpha: number }, AdverseSelectionLaws][] = [
    [
      { traders: 5, kappa: 1, alpha: 0.5 },
      { endowment: laplace(0, 1), signal: normal(0, 0.5) },
    ],
    [
      { traders: 4, kappa: 1.5, alpha: 0.4 },
      { endowment: skewed, signal: normal(0.1, 0.4) },
    ],
    [
      { traders: 3, kappa: 0.8, alpha: 0.7 },
      { endowment: uniform(-1, 1), signal: uniform(-0.4, 0.6) },
    ],
    [
      { traders: 2, kappa: 1, alpha: 0.6 },
      { endowment: laplace(0.2, 1), signal: laplace(0, 0.3) },
    ],
    // Theorem 3 ironed: types pooled besides the binding region (an atom of v(t) at another level).
    [
      { traders: 4, kappa: 1, alpha: 0.25 },
      {
        endowment: mixture([
          { weight: 0.9, law: normal(0, 0.5) },
          { weight: 0.1, law: normal(3, 0.3) },
        ]),
        signal: normal(0, 0.3),
      },
    ],
  ];

  test("Gaussian laws through the laws path: the same markets as the closed-form path, to 1e-6 of their scale", () => {
    // Same draws (both sample e then zeta through the laws' samplers); the fees differ only by the
    // FFT grid's psi error (~3e-8) and the bidders' v by the convolution's (~1e-10).
    const p = independent;
    const [closed] = adverseSelectionSimulations(p, ["optimal"]);
    const [laws] = adverseSelectionLawsSimulations(p, { endowment: normal(p.muE, p.sigmaE), signal: normal(0, p.sigmaZeta) }, ["optimal"]);
    const count = 2000;
    const a = closed!.quantities.map(() => new Float64Array(count));
    const b = laws!.quantities.map(() => new Float64Array(count));
    closed!.runMarkets(seedrandom.alea("same"), count, a);
    laws!.runMarkets(seedrandom.alea("same"), count, b);
    expect(laws!.quantities.map((q) => q.key)).toEqual(closed!.quantities.map((q) => q.key));
    for (let j = 0; j < 4; j++) for (let m = 0; m < count; m++) expect(Math.abs(a[j]![m]! - b[j]![m]!)).toBeLessThan(1e-6);
    for (const key of ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader"])
      expect(Math.abs(laws!.theory[key]! - closed!.theory[key]!)).toBeLessThan(1e-9);
    // The trade volume from the fee's FFT grid against Theorem 1's closed form scaled (measured 8e-8 relative).
    expect(Math.abs(laws!.theory.tradeVolumePerTrader! - closed!.theory.tradeVolumePerTrader!)).toBeLessThan(
      1e-6 * closed!.theory.tradeVolumePerTrader!,
    );
  });

  test("fast and general paths agree market by market for non-Gaussian laws", () => {
    const [params, laws] = cases[1]!;
    const count = 300;
    const outputs = (["fast", "general"] as const).map((path) => {
      const [sim] = adverseSelectionLawsSimulations(params, laws, ["optimal"], { path });
      const out = sim!.quantities.map(() => new Float64Array(count));
      return { out, diagnostics: sim!.runMarkets(seedrandom.alea("paths"), count, out) };
    });
    expect(outputs[0]!.diagnostics).toEqual(outputs[1]!.diagnostics);
    outputs[0]!.out.forEach((column, j) => {
      for (let m = 0; m < count; m++)
        expect(Math.abs(column[m]! - outputs[1]!.out[j]![m]!)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(column[m]!)));
    });
  });

  test("Laplace, skewed bimodal, uniform, Laplace-Laplace and an ironed law: the markets agree with Theorem 3 (one Holm family at 1%)", () => {
    const checks = cases.flatMap(([params, laws]) => run(adverseSelectionLawsSimulations(params, laws, ["optimal"]), 60_000, "laws"));
    expect(checks).toHaveLength(20);
    expect(holmRejections(checks).map((c) => c.label)).toEqual([]);
  }, 120_000);

  test("negative control: Proposition 5's fee without psi(S) q fails on every seed (skewed bimodal endowments)", () => {
    const [params, laws] = cases[1]!;
    const sims = adverseSelectionLawsSimulations(params, laws, ["optimal"], { optimalFee: "prop5-no-psi" });
    for (const seed of ["1", "2", "3"]) {
      const rejected = holmRejections(run(sims, 20_000, seed));
      expect(rejected.map((c) => c.label.split(":")[0])).toContain("optimal/prop5-no-psi revenuePerTrader");
    }
  }, 60_000);

  test("only the optimal mechanism exists for these laws; laws without a fee are refused in one line", () => {
    const [params, laws] = cases[0]!;
    expect(() => adverseSelectionLawsSimulations(params, laws, ["robust"])).toThrow(/^robust: exists only for Gaussian/);
    expect(adverseSelectionLawsSimulations(params, laws).map((s) => s.mechanism)).toEqual(["optimal"]);
    const flat = { endowment: skewed, signal: laplace(0.1, 0.4) }; // v(t) flattens: the grid cannot resolve it
    expect(() => adverseSelectionLawsSimulations(params, flat)).toThrow(InputError);
    expect(() => adverseSelectionLawsSimulations(params, flat)).toThrow(/^prop5: [^\n]+$/);
  });
});
