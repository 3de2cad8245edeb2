import { feeModules } from "@optex/fees";
import { adverseSelectionIcEnvironment, basicIcEnvironment, heterogeneousIcEnvironment, type IcEnvironment, multiAssetIcEnvironment, runLaws } from "@optex/scenarios";
import type { Distribution } from "@optex/theory";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { distributionArbitrary, fcSeed, uniformReal } from "./support.ts";
import { dynamicIcEnvironment } from "../packages/scenarios/src/models/dynamic/ic.ts";
import { correlatedAssetsIcEnvironment } from "../packages/scenarios/src/models/correlated-assets/ic.ts";

/**
 * One law suite over every registered fee module (issue 4): random environments (fast-check, pinned
 * seed), each checked on random markets by the IC oracle (packages/scenarios/src/ic/laws.ts):
 * relative regret <= 1e-9 against the numerical best response and explicit deviations (intercept,
 * slope, piecewise), sum of trades 0, revenue = sum of fees, finite outcomes, and interim
 * participation on a grid of types (simulated gain not significantly negative) and the expected
 * revenue against the theory (Monte Carlo at 4 standard errors).
 * Negative controls must fail the same laws. A failing case prints fast-check's shrunk counterexample.
 */

/** Environments for each registered module id: its model's parameters, drawn by fast-check. */
const environments: Record<string, fc.Arbitrary<IcEnvironment<unknown>>> = {};

/** A counterexample prints the environment's model, fee and parameters (not its closures). */
function labelled<T>(env: IcEnvironment<T>): IcEnvironment<unknown> {
  return Object.assign(env, { [fc.toStringMethod]: () => JSON.stringify({ model: env.model, fee: env.fee, parameters: env.parameters }) }) as IcEnvironment<unknown>;
}

const basicParams = fc.record({
  dist: distributionArbitrary,
  traders: fc.integer({ min: 3, max: 12 }),
  kappa: uniformReal(0.2, 5),
  alpha: uniformReal(0, 1),
  muPi: uniformReal(-1, 1),
});
for (const id of ["none", "prop3", "none-truthful", "prop3-printed"]) {
  environments[id] = basicParams.map((p) => labelled(basicIcEnvironment(p, id)));
}

// Theorem 5 needs laws with unbounded support on both sides (MODEL.md section 8): Gaussian traders.
const heterogeneousParams = fc
  .array(fc.record({ dist: distributionArbitrary.filter((d: Distribution) => !Number.isFinite(d.upper) && !Number.isFinite(d.lower)), kappa: uniformReal(0.3, 4) }), { minLength: 3, maxLength: 6 })
  .chain((traders) => fc.record({ traders: fc.constant(traders), alpha: uniformReal(0, 1), muPi: uniformReal(-1, 1) }));
for (const id of ["prop10", "prop10-none"]) {
  environments[id] = heterogeneousParams.map(
    (p) => labelled(heterogeneousIcEnvironment({ dists: p.traders.map((t) => t.dist), kappas: p.traders.map((t) => t.kappa), alpha: p.alpha, muPi: p.muPi }, id)),
  );
}

// Several assets under Condition 3 (Proposition 8): k in 1..4 assets, alpha bounded away from 0 for
// the printed control (at alpha = 0 b vanishes and the printed fee is the corrected one).
const multiAssetParams = (minAlpha: number) =>
  fc.record({
    assets: fc.integer({ min: 1, max: 4 }),
    traders: fc.integer({ min: 2, max: 8 }),
    kappa: uniformReal(0.2, 5),
    sigmaE: uniformReal(0.2, 3),
    sigmaPi: uniformReal(0.3, 3),
    alpha: uniformReal(minAlpha, 1),
  });
for (const id of ["prop8", "prop8-none"]) environments[id] = multiAssetParams(0).map((p) => labelled(multiAssetIcEnvironment(p, id)));
environments["prop8-printed"] = multiAssetParams(0.05).map((p) => labelled(multiAssetIcEnvironment(p, "prop8-printed")));

// Adverse selection with independent Gaussian signals (Proposition 5).
const adverseParams = fc.record({
  traders: fc.integer({ min: 3, max: 8 }),
  kappa: uniformReal(0.3, 3),
  muE: uniformReal(-1, 1),
  sigmaE: uniformReal(0.3, 2),
  sigmaZeta: uniformReal(0.05, 1.5),
  alpha: uniformReal(0, 1),
});
for (const id of ["prop5", "prop5-no-psi", "prop5-none"]) environments[id] = adverseParams.map((p) => labelled(adverseSelectionIcEnvironment(p, id)));

// Correlated assets (Proposition 6): k in 1..4 assets, random covariance Sigma = s^2 (A A'/k + I/5)
// (A uniform on [-1, 1]: correlations of either sign), one auction per uncorrelated derivative.
const correlatedParams = fc.integer({ min: 1, max: 4 }).chain((k) =>
  fc.record({
    traders: fc.integer({ min: 2, max: 8 }),
    kappa: uniformReal(0.2, 5),
    sigmaE: uniformReal(0.2, 3),
    covariance: fc
      .tuple(uniformReal(0.3, 3), fc.array(fc.array(uniformReal(-1, 1), { minLength: k, maxLength: k }), { minLength: k, maxLength: k }))
      .map(([s, A]) => A.map((row, a) => A.map((other, b) => s * s * (row.reduce((sum, x, c) => sum + x * other[c]!, 0) / k + (a === b ? 0.2 : 0))))),
  }),
);
for (const id of ["prop6", "prop6-none"]) environments[id] = correlatedParams.map((p) => labelled(correlatedAssetsIcEnvironment(p, id)));

// Dynamics (Proposition 12): one auction of the repeated market given the holdings, with delta dt >= 0.25
// so that the participation and revenue paths (to a horizon of about 20/delta) stay short.
const dynamicParams = fc.record({
  traders: fc.integer({ min: 2, max: 6 }),
  kappa: uniformReal(0.3, 3),
  delta: uniformReal(0.5, 2),
  dt: uniformReal(0.5, 2),
  muE: uniformReal(-1, 1),
  sigma0: uniformReal(0.3, 2),
  sigmaZ: uniformReal(0, 2),
});
for (const id of ["prop12", "prop12-none"]) environments[id] = dynamicParams.map((p) => labelled(dynamicIcEnvironment(p, id)));

/** Environments per module, markets per environment, Monte Carlo markets per participation type. */
const ENVIRONMENTS = 4;
const MARKETS = 8;
const PARTICIPATION_SAMPLES = 4000;

function lawsHold(env: IcEnvironment<unknown>, participationSamples = PARTICIPATION_SAMPLES, quiet = false): boolean {
  // Heterogeneous traders each have their own fee: every one is checked.
  const report = runLaws(env, { cases: MARKETS, seed: fcSeed, participationSamples, tradersChecked: env.model === "heterogeneous" ? "all" : "ends" });
  if (!report.pass && !quiet) {
    // fast-check prints the environment; this prints the market and the law that failed.
    const failed = Object.entries(report.laws).filter(([, law]) => law !== null && !law.pass).map(([name]) => name);
    console.error(`laws failed for ${env.fee} (${failed.join(", ")}): largest regret ${report.largestRegret}`, JSON.stringify(report.worstCase), report.counterexample ?? "");
  }
  // A control must fail the regret law itself (not, say, a market that did not clear).
  return quiet ? report.laws.incentiveCompatibility.pass : report.pass;
}

const real = feeModules.filter((m) => m.control === null);
const controls = feeModules.filter((m) => m.control !== null);

describe("every registered fee module satisfies the laws with its implementing strategy", () => {
  test("every registered module has environments in this suite", () => {
    expect(feeModules.map((m) => m.id).filter((id) => !(id in environments))).toEqual([]);
  });

  test.each(real.map((m) => [m.id, m.paper] as const))("%s (%s)", (id) => {
    fc.assert(
      fc.property(environments[id]!, (env) => lawsHold(env)),
      { seed: fcSeed, numRuns: ENVIRONMENTS, endOnFailure: true },
    );
  });
});

describe("negative controls fail the same laws", () => {
  test.each(controls.map((m) => [m.id, m.control] as const))("%s: %s", (id) => {
    // The regret law alone must reject them: participation is skipped so it cannot be the reason.
    expect(() =>
      fc.assert(
        fc.property(environments[id]!, (env) => lawsHold(env, 0, true)),
        // No shrinking: a control only has to fail, and shrinking would rebuild fee tables for nothing.
        { seed: fcSeed, numRuns: ENVIRONMENTS, endOnFailure: true },
      ),
    ).toThrow(/Property failed/);
  });

  test("the oracle's participation law detects a participation constant that is too high", () => {
    // Proposition 3's fee with d raised by 5% of the payoff scale leaves the flat region's types worse off than autarky.
    const env = basicIcEnvironment({ dist: distributionOf("uniform"), traders: 5, kappa: 1, alpha: 0.5, muPi: 0 }, "prop3");
    const shifted: IcEnvironment<unknown> = {
      ...env,
      interimGains: (point, uniform, samples) => env.interimGains(point, uniform, samples).map((g) => g - 0.05 * env.scale),
    } as IcEnvironment<unknown>;
    const report = runLaws(shifted, { cases: 2, seed: fcSeed, participationSamples: 20_000 });
    expect(report.laws.participation?.pass).toBe(false);
    expect(report.laws.incentiveCompatibility.pass).toBe(true);
  });
});

describe("the oracle's clearing law", () => {
  test("a market that does not clear (e.g. a NaN fee) fails the suite and its reason is reported", () => {
    const env = basicIcEnvironment({ dist: distributionOf("uniform"), traders: 4, kappa: 1, alpha: 0.5, muPi: 0 }, "prop3");
    const broken = {
      ...env,
      market: (types: number[]) => {
        const m = env.market(types);
        return { ...m, outcome: () => ({ ...m.outcome(), cleared: false, reason: "fee of trader 0 is NaN" }) };
      },
    } as IcEnvironment<unknown>;
    const report = runLaws(broken, { cases: 2, seed: fcSeed, participationSamples: 0 });
    expect(report.laws.cleared).toEqual({ pass: false, reason: "fee of trader 0 is NaN" });
    expect(report.pass).toBe(false);
  });
});

describe("the oracle's revenue law", () => {
  test("simulated revenue matches the theory for the implementing fee, and a 5% error in the theory is detected", () => {
    const env = basicIcEnvironment({ dist: distributionOf("uniform"), traders: 5, kappa: 1, alpha: 0.7, muPi: 0.3 }, "prop3");
    expect(env.revenue).toBeDefined();
    const ok = runLaws(env, { cases: 1, seed: fcSeed, participationSamples: 20_000 });
    expect(ok.laws.revenue?.pass).toBe(true);
    const wrong = { ...env, revenue: { ...env.revenue!, theory: 1.05 * env.revenue!.theory } } as IcEnvironment<unknown>;
    expect(runLaws(wrong, { cases: 1, seed: fcSeed, participationSamples: 20_000 }).laws.revenue?.pass).toBe(false);
  });
});

function distributionOf(kind: "uniform"): Distribution {
  return fc.sample(distributionArbitrary.filter((d) => d.id.startsWith(kind)), { seed: 3, numRuns: 1 })[0]!;
}
