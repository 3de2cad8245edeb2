import { z } from "zod";
import { InputError } from "./inputError.ts";

const environment = z
  .object({
    dist: z.string().default("uniform:-1,1"),
    kappa: z.number().positive().max(1e9).default(1),
    traders: z.number().int().min(2).max(1_000_000).default(10),
    alpha: z.number().min(0).max(1).default(0.5),
    muPi: z.number().min(-1e6).max(1e6).default(0),
    /** adverse-selection and multi-asset: sd of Gaussian endowments. */
    sigmaE: z.number().positive().max(1e9).default(1),
    /** adverse-selection: sd of signals and their correlation. */
    sigmaZeta: z.number().min(0).max(1e9).default(0.5),
    rho: z.number().min(0).lt(1).default(0),
    muE: z.number().min(-1e9).max(1e9).default(0),
    /** multi-asset: number of assets and payoff sd. */
    assets: z.number().int().min(1).max(1000).default(2),
    sigmaPi: z.number().positive().max(1e9).default(1),
    /** correlated-assets: common correlation of the assets' payoffs (Proposition 6). */
    assetCorrelation: z.number().gt(-1).lt(1).default(0.5),
    /** dynamic: discount rate, time between auctions, sd of initial endowments, shock volatility (Proposition 12). */
    delta: z.number().min(1e-6).max(1e3).default(0.1),
    dt: z.number().min(1e-9).max(1e6).default(1),
    sigma0: z.number().min(0).max(1e9).default(1),
    sigmaZ: z.number().min(0).max(1e9).default(1),
    /** heterogeneous: one law and one capacity per trader. */
    dists: z.array(z.string()).min(2).optional(),
    kappas: z.array(z.number().positive()).min(2).optional(),
  })
  .strict();

/** Parameters a sweep may vary. */
export const sweepKeys = ["dist", "kappa", "traders", "alpha", "muPi", "sigmaE", "sigmaZeta", "rho", "muE", "assets", "sigmaPi", "assetCorrelation", "delta", "dt", "sigma0", "sigmaZ"] as const;
export type SweepKey = (typeof sweepKeys)[number];

const sweepValues = z.array(z.union([z.number(), z.string()])).min(1);

/** A scenario file (YAML or JSON). Every field but `id` has a default. */
export const scenarioSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes"),
    title: z.string().default(""),
    description: z.string().default(""),
    /** The paper's result this reproduces, e.g. "Figure 2". */
    paper: z.string().default(""),
    model: z.enum(["basic", "adverse-selection", "heterogeneous", "multi-asset", "correlated-assets", "dynamic"]).default("basic"),
    environment: environment.default({ dist: "uniform:-1,1", kappa: 1, traders: 10, alpha: 0.5, muPi: 0, sigmaE: 1, sigmaZeta: 0.5, rho: 0, muE: 0, assets: 2, sigmaPi: 1, assetCorrelation: 0.5, delta: 0.1, dt: 1, sigma0: 1, sigmaZ: 1 }),
    mechanisms: z.array(z.enum(["optimal", "first-best", "double-auction"])).min(1).default(["optimal", "first-best", "double-auction"]),
    /** Monte Carlo markets per task; 0 computes theory only. */
    markets: z.number().int().min(0).max(1e9).default(20_000),
    seed: z.string().min(1).default("1"),
    /** Basic model (Figure 1) and adverse selection with rho = 0 (Figure 4): also tabulate and plot the interim allocation and transfer on this many types. */
    interimPoints: z.number().int().min(0).max(10_000).default(0),
    /** Cartesian product over environment parameters, e.g. { traders: [3, 5, 10] }. */
    sweep: z.partialRecord(z.enum(sweepKeys), sweepValues).default({}),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Each swept value must be a valid value of that environment field (same ranges as the environment).
    for (const [key, values] of Object.entries(s.sweep)) {
      const field = environment.shape[key as SweepKey];
      values?.forEach((value, index) => {
        const check = field.safeParse(value);
        if (!check.success) ctx.addIssue({ code: "custom", path: ["sweep", key, index], message: check.error.issues[0]?.message ?? "invalid value" });
      });
    }
  });

export type Scenario = z.infer<typeof scenarioSchema>;

/**
 * Validates a scenario object. Throws InputError with one line per problem naming the file and
 * the field path, e.g. `my.yaml: environment.kappa: Too small: expected number to be >0`.
 */
export function parseScenario(value: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new InputError(lines.join("; "));
  }
  return result.data;
}

/** JSON Schema of scenario files, for editors (`optex describe --schema`). */
export function scenarioJsonSchema(): unknown {
  return z.toJSONSchema(scenarioSchema, { io: "input" });
}
