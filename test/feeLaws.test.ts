import { feeModules } from "@optex/fees";
import {
  basicIcEnvironment,
  icEnvironment,
  type IcEnvironment,
  type LawReport,
  modelById,
  models,
  type ParameterPoint,
  runLaws,
} from "@optex/scenarios";
import { parseDistribution } from "@optex/theory";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { fcSeed, uniformReal } from "./support.ts";

/**
 * One law suite over the registries: every model with an incentive-compatibility environment x
 * every fee module registered for it x the strategy the module is checked under. Random
 * environments (fast-check, pinned seed) are parameter points of the model, built into IC
 * environments by the model registry (the same path as `optex ic`), each checked on random markets
 * by the IC oracle (packages/scenarios/src/ic/laws.ts): relative regret <= 1e-9 against the
 * numerical best response and explicit deviations, sum of trades 0, revenue = sum of fees, finite
 * outcomes, interim participation on a grid of types and the expected revenue against the theory.
 * Negative controls must fail the regret law in every generated environment.
 */

/** A law spec string (parameter points hold laws as the CLI's text). */
const lawSpec = fc.oneof(
  fc.tuple(uniformReal(-3, 3), uniformReal(0.2, 4)).map(([a, w]) => `uniform:${a},${a + w}`),
  fc.tuple(uniformReal(-2, 2), uniformReal(0.2, 3)).map(([mu, s]) => `normal:${mu},${s}`),
  uniformReal(0.3, 3).map((rate) => `exponential:${rate}`),
);

/**
 * Random parameter points of each model's IC environment (the ranges its oracle is checked over).
 * `minAlpha` bounds alpha away from 0 where a control coincides with the real fee at alpha = 0
 * (the printed Proposition 8 argument multiplies b, which vanishes at alpha = 0).
 */
const parameterPoints: Record<string, (minAlpha: number) => fc.Arbitrary<ParameterPoint>> = {
  basic: (minAlpha) =>
    fc.record({
      dist: lawSpec,
      traders: fc.integer({ min: 3, max: 12 }),
      kappa: uniformReal(0.2, 5),
      alpha: uniformReal(minAlpha, 1),
      muPi: uniformReal(-1, 1),
    }),
  // Theorem 5 needs laws with unbounded support on both sides: Gaussian traders.
  heterogeneous: (minAlpha) =>
    fc
      .array(
        fc.record({
          dist: fc.tuple(uniformReal(-2, 2), uniformReal(0.2, 3)).map(([mu, s]) => `normal:${mu},${s}`),
          kappa: uniformReal(0.3, 4),
        }),
        { minLength: 3, maxLength: 6 },
      )
      .chain((traders) =>
        fc.record({
          dists: fc.constant(traders.map((t) => t.dist)),
          kappas: fc.constant(traders.map((t) => t.kappa)),
          alpha: uniformReal(minAlpha, 1),
          muPi: uniformReal(-1, 1),
        }),
      ),
  // Independent Gaussian signals (Proposition 5).
  "adverse-selection": (minAlpha) =>
    fc.record({
      traders: fc.integer({ min: 3, max: 8 }),
      kappa: uniformReal(0.3, 3),
      alpha: uniformReal(minAlpha, 1),
      sigmaE: uniformReal(0.3, 2),
      sigmaZeta: uniformReal(0.05, 1.5),
      rho: fc.constant(0),
      muE: uniformReal(-1, 1),
    }),
  // Condition 3 (Proposition 8): k in 1..4 assets.
  "multi-asset": (minAlpha) =>
    fc.record({
      assets: fc.integer({ min: 1, max: 4 }),
      traders: fc.integer({ min: 2, max: 8 }),
      kappa: uniformReal(0.2, 5),
      alpha: uniformReal(Math.max(minAlpha, 0), 1),
      sigmaE: uniformReal(0.2, 3),
      sigmaPi: uniformReal(0.3, 3),
    }),
  // Proposition 6: Sigma = s^2 (A A^T / k + I / 5), A uniform on [-1, 1] (correlations of either sign).
  "correlated-assets": () =>
    fc.integer({ min: 1, max: 4 }).chain((k) =>
      fc.record({
        traders: fc.integer({ min: 2, max: 8 }),
        kappa: uniformReal(0.2, 5),
        sigmaE: uniformReal(0.2, 3),
        covariance: fc
          .tuple(
            uniformReal(0.3, 3),
            fc.array(fc.array(uniformReal(-1, 1), { minLength: k, maxLength: k }), { minLength: k, maxLength: k }),
          )
          .map(([s, A]) =>
            A.map((row, a) => A.map((other, b) => s * s * (row.reduce((sum, x, c) => sum + x * other[c]!, 0) / k + (a === b ? 0.2 : 0)))),
          ),
      }),
    ),
  // Proposition 12: one auction of the repeated market given the holdings, delta dt >= 0.25 so that
  // the participation and revenue paths (to a horizon of about 20/delta) stay short.
  dynamic: () =>
    fc.record({
      traders: fc.integer({ min: 2, max: 6 }),
      kappa: uniformReal(0.3, 3),
      delta: uniformReal(0.5, 2),
      dt: uniformReal(0.5, 2),
      muE: uniformReal(-1, 1),
      sigma0: uniformReal(0.3, 2),
      sigmaZ: uniformReal(0, 2),
    }),
};

/** Controls whose failure needs alpha away from 0 (see parameterPoints). */
const MIN_ALPHA: Record<string, number> = { "prop8-printed": 0.05 };

/** IC environments of a registered fee: its model's random parameter points through the model registry. */
function environmentsOf(feeId: string): fc.Arbitrary<IcEnvironment<unknown>> {
  const info = feeModules.find((m) => m.id === feeId)!;
  const model = modelById(info.model);
  return parameterPoints[model.id]!(MIN_ALPHA[feeId] ?? 0).map((point) => {
    const env = icEnvironment(model, { ...defaults(model.id), ...point }, feeId);
    // A counterexample prints the environment's model, fee and parameters (not its closures).
    return Object.assign(env, {
      [fc.toStringMethod]: () => JSON.stringify({ model: env.model, fee: env.fee, parameters: env.parameters }),
    });
  });
}

/** The model's defaults for the parameters a random point leaves out. */
function defaults(modelId: string): ParameterPoint {
  return Object.fromEntries(
    modelById(modelId)
      .parameters.filter((p) => p.default !== undefined)
      .map((p) => [p.spec.key, p.default!]),
  );
}

/** Environments per module, markets per environment, Monte Carlo markets per participation type. */
const ENVIRONMENTS = 4;
const MARKETS = 8;
const PARTICIPATION_SAMPLES = 4000;

function laws(env: IcEnvironment<unknown>, participationSamples = PARTICIPATION_SAMPLES): LawReport {
  // Heterogeneous traders each have their own fee: every one is checked.
  return runLaws(env, {
    cases: MARKETS,
    seed: fcSeed,
    participationSamples,
    tradersChecked: modelById(env.model).ic?.tradersChecked ?? "ends",
  });
}

const real = feeModules.filter((m) => m.control === null);
const controls = feeModules.filter((m) => m.control !== null);

describe("every registered fee module satisfies the laws with its implementing strategy", () => {
  test("every model with an IC environment has random parameter points here, and every fee's model has an IC environment", () => {
    expect(models.filter((m) => m.ic && !(m.id in parameterPoints)).map((m) => m.id)).toEqual([]);
    expect(feeModules.filter((f) => !modelById(f.model).ic).map((f) => f.id)).toEqual([]);
  });

  test.each(real.map((m) => [m.id, m.paper] as const))("%s (%s)", (id) => {
    fc.assert(
      fc.property(environmentsOf(id), (env) => {
        const report = laws(env);
        if (!report.pass) {
          // fast-check prints the environment; this prints the market and the law that failed.
          const failed = Object.entries(report.laws)
            .filter(([, law]) => law !== null && !law.pass)
            .map(([name]) => name);
          console.error(
            `laws failed for ${env.fee} (${failed.join(", ")}): largest regret ${report.largestRegret}`,
            JSON.stringify(report.worstCase),
            report.counterexample ?? "",
          );
        }
        return report.pass;
      }),
      { seed: fcSeed, numRuns: ENVIRONMENTS, endOnFailure: true },
    );
  });
});

describe("negative controls fail the same laws", () => {
  test.each(controls.map((m) => [m.id, m.control] as const))("%s: %s", (id) => {
    // Every generated environment must fail the regret law itself (participation is skipped so it
    // cannot be the reason), read from the law's verdict.
    const envs = fc.sample(environmentsOf(id), { seed: fcSeed, numRuns: ENVIRONMENTS });
    for (const env of envs) {
      const report = laws(env, 0);
      expect(report.laws.incentiveCompatibility.pass, JSON.stringify(env.parameters)).toBe(false);
      expect(report.laws.incentiveCompatibility.largest).toBeGreaterThan(10 * report.laws.incentiveCompatibility.tolerance);
    }
  });
});

describe("power: the oracle detects a perturbed mechanism", () => {
  const params = { dist: "uniform:-1,1", traders: 5, kappa: 1, alpha: 0.5, muPi: 0 };
  const env = (perturb?: Parameters<typeof basicIcEnvironment>[2]) =>
    basicIcEnvironment(
      { dist: parseDistribution(params.dist), traders: params.traders, kappa: params.kappa, alpha: params.alpha, muPi: params.muPi },
      "prop3",
      perturb,
    );

  test("Proposition 3's fee rebuilt with d 5% too high: participation fails on the flat region, regret does not", () => {
    const right = runLaws(env(), { cases: 2, seed: fcSeed, participationSamples: 100_000 });
    expect(right.laws.participation?.pass).toBe(true);
    const high = runLaws(
      env((fee) => ({ id: "prop3-d-plus-5%", fee: (i, q, p) => fee.fee(i, q, p) + 0.05 * fee.d })),
      { cases: 2, seed: fcSeed, participationSamples: 100_000 },
    );
    expect(high.laws.participation?.pass).toBe(false);
    expect(high.laws.incentiveCompatibility.pass).toBe(true);
  });

  test("Proposition 3's fee rebuilt with c 5% off: the regret law fails", () => {
    const off = runLaws(
      env((fee) => ({ id: "prop3-c-plus-5%", fee: (i, q, p) => fee.fee(i, q, p) + 0.025 * fee.c * q * q })),
      { cases: 4, seed: fcSeed, participationSamples: 0 },
    );
    expect(off.laws.incentiveCompatibility.pass).toBe(false);
  });

  test("expected revenue: the implementing fee matches the theory; the fee with d 5% too high does not", () => {
    const ok = runLaws(env(), { cases: 1, seed: fcSeed, participationSamples: 20_000 });
    expect(ok.laws.revenue?.pass).toBe(true);
    const high = runLaws(
      env((fee) => ({ id: "prop3-d-plus-5%", fee: (i, q, p) => fee.fee(i, q, p) + 0.05 * fee.d })),
      { cases: 1, seed: fcSeed, participationSamples: 200_000 },
    );
    expect(high.laws.revenue?.pass).toBe(false);
  });
});

describe("the oracle's clearing law", () => {
  test("a market that does not clear (e.g. a NaN fee) fails the suite and its reason is reported", () => {
    const env = basicIcEnvironment(
      { dist: parseDistribution("uniform:-1,1"), traders: 4, kappa: 1, alpha: 0.5, muPi: 0 },
      "prop3",
      (fee) => ({
        id: "nan-for-trader-0",
        fee: (i, q, p) => (i === 0 ? Number.NaN : fee.fee(i, q, p)),
      }),
    );
    const report = runLaws(env, { cases: 2, seed: fcSeed, participationSamples: 0 });
    expect(report.laws.cleared.pass).toBe(false);
    expect(report.laws.cleared.reason).toMatch(/fee of trader 0 is NaN/);
    expect(report.pass).toBe(false);
  });
});
