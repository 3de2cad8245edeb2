import { z } from "zod";
import { InputError } from "../inputError.ts";
import { resolveParameters } from "../models/model.ts";
import type { ParameterPoint, ParameterValue } from "../models/parameters.ts";
import { modelById, modelIds, models } from "../models/registry.ts";

/** The fields every scenario file has; `environment`, `sweep` and `mechanisms` are checked against the model's declaration. */
const scenarioBase = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, "lowercase letters, digits and dashes")
      .describe("scenario id (output directory name)"),
    title: z.string().default("").describe("one-line title of the report"),
    description: z.string().default("").describe("what the scenario shows"),
    paper: z.string().default("").describe('the paper\'s result it reproduces, e.g. "Figure 2"'),
    againstPaper: z
      .string()
      .optional()
      .describe(
        'plain prose comparing the run with the paper\'s result: what the paper shows (axes, curves, parameters) and what the run shows (which plot, what agrees, any difference and why); printed under "Against the paper" in report.md',
      ),
    model: z
      .enum(modelIds as [string, ...string[]])
      .default("basic")
      .describe("environment of the paper (optex list shows each model's parameters)"),
    environment: z.record(z.string(), z.unknown()).default({}).describe("the model's parameters; the rest take the model's defaults"),
    mechanisms: z.array(z.string()).min(1).optional().describe("mechanisms to simulate (default: all of the model's)"),
    markets: z.number().int().min(0).max(1e9).default(20_000).describe("Monte Carlo markets per task; 0 computes theory only"),
    seed: z
      .union([z.string().min(1), z.number().int()])
      .default("1")
      .transform((s) => String(s))
      .describe("seed of the random generator (a string or an integer)"),
    interimPoints: z
      .number()
      .int()
      .min(0)
      .max(10_000)
      .default(0)
      .describe(
        "also tabulate and plot the interim allocation and transfer on this many types (basic model; adverse selection with rho = 0)",
      ),
    sweep: z
      .record(z.string(), z.array(z.union([z.number(), z.string()])).min(1))
      .default({})
      .describe("Cartesian product over the model's parameters, e.g. { traders: [3, 5, 10] }"),
  })
  .strict();

/** The most tasks a scenario may have (a sweep's points times the tasks per point). */
export const MAX_SCENARIO_TASKS = 100_000;

/** A validated scenario: the model's full parameter point (defaults filled), checked sweep and mechanisms. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly paper: string;
  /** The comparison with the paper's result (prose; absent when not written). */
  readonly againstPaper?: string;
  readonly model: string;
  readonly environment: ParameterPoint;
  readonly mechanisms: readonly string[];
  readonly markets: number;
  readonly seed: string;
  readonly interimPoints: number;
  readonly sweep: Readonly<Record<string, readonly ParameterValue[]>>;
}

/**
 * Validates a scenario object with the CLI's own checks: every environment and sweep value goes
 * through its parameter's parser (the same ranges as the flags), a parameter of another model is an
 * error, and mechanisms must be the model's. Throws InputError with one line per problem naming the
 * file and the field path, e.g. `my.yaml: environment.kappa: kappa must be a number > 0, got 0`.
 */
export function parseScenario(value: unknown, source: string): Scenario {
  const result = scenarioBase.safeParse(value);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${source}: ${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new InputError(lines.join("; "));
  }
  const s = result.data;
  const model = modelById(s.model);
  const problems: string[] = [];
  const specs = new Map(model.parameters.map((p) => [p.spec.key, p.spec]));
  const known = [...specs.keys()].join(", ");
  const environment: Record<string, ParameterValue> = {};
  for (const [key, raw] of Object.entries(s.environment)) {
    const spec = specs.get(key);
    if (!spec) {
      problems.push(`environment.${key}: not a parameter of model ${model.id} (its parameters: ${known})`);
      continue;
    }
    try {
      environment[key] = spec.fromFile(raw);
    } catch (error) {
      problems.push(`environment.${key}: ${(error as Error).message}`);
    }
  }
  const sweep: Record<string, ParameterValue[]> = {};
  for (const [key, values] of Object.entries(s.sweep)) {
    const spec = specs.get(key);
    if (!spec?.sweepable) {
      problems.push(
        `sweep.${key}: not a sweepable parameter of model ${model.id} (sweepable: ${model.parameters
          .filter((p) => p.spec.sweepable)
          .map((p) => p.spec.key)
          .join(", ")})`,
      );
      continue;
    }
    sweep[key] = [];
    values.forEach((v, i) => {
      try {
        sweep[key]!.push(spec.fromFile(v));
      } catch (error) {
        problems.push(`sweep.${key}.${i}: ${(error as Error).message}`);
      }
    });
  }
  const mechanisms = s.mechanisms ?? [...(model.defaultMechanisms ?? model.mechanisms)];
  for (const m of mechanisms)
    if (!model.mechanisms.includes(m))
      problems.push(`mechanisms: "${m}" is not one of model ${model.id}'s: ${model.mechanisms.join(", ")}`);
  let point: ParameterPoint = environment;
  if (problems.length === 0) {
    try {
      point = resolveParameters(model, environment, (key) => `environment.${key}`);
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  if (problems.length > 0) throw new InputError(problems.map((p) => `${source}: ${p}`).join("; "));
  // Bounded work: the sweep's size is known before anything runs.
  const sizes = Object.values(sweep).map((v) => v.length);
  const points = sizes.reduce((a, b) => a * b, 1);
  const perPoint = mechanisms.length + (model.taskValues ? 1 : 0);
  if (points * perPoint > MAX_SCENARIO_TASKS) {
    throw new InputError(
      `${source}: sweep: ${sizes.join(" x ")} points x ${perPoint} tasks per point = ${(points * perPoint).toLocaleString("en-US")} tasks; at most ${MAX_SCENARIO_TASKS.toLocaleString("en-US")} (split it into several scenarios or shards)`,
    );
  }
  // Every point of the sweep gets the model's checks across parameters (as a command line would).
  let sweepPoints: Record<string, ParameterValue>[] = [{ ...point }];
  for (const [key, values] of Object.entries(sweep)) sweepPoints = sweepPoints.flatMap((p) => values.map((v) => ({ ...p, [key]: v })));
  for (const p of sweepPoints) {
    try {
      model.check?.(p);
    } catch (error) {
      const at = Object.keys(sweep)
        .map((k) => `${k} = ${JSON.stringify(p[k])}`)
        .join(", ");
      throw new InputError(`${source}: sweep point ${at}: ${(error as Error).message}`);
    }
  }
  return { ...s, environment: point, mechanisms, sweep };
}

/** JSON Schema of scenario files, for editors (`optex describe --schema`): the common fields and, per model, its parameters. */
export function scenarioJsonSchema(): unknown {
  const base = z.toJSONSchema(scenarioBase, { io: "input" }) as Record<string, unknown>;
  const environments = Object.fromEntries(
    models.map((m) => [
      m.id,
      {
        type: "object",
        description: `environment of model ${m.id}: ${m.title}`,
        additionalProperties: false,
        properties: Object.fromEntries(
          m.parameters.map((p) => [p.spec.key, { ...p.spec.jsonSchema, ...(p.default !== undefined ? { default: p.default } : {}) }]),
        ),
        ...(m.parameters.some((p) => p.required) ? { required: m.parameters.filter((p) => p.required).map((p) => p.spec.key) } : {}),
      },
    ]),
  );
  return {
    ...base,
    allOf: models.map((m) => ({
      if:
        m.id === "basic" ? { properties: { model: { const: "basic" } } } : { properties: { model: { const: m.id } }, required: ["model"] },
      then: { properties: { environment: environments[m.id], mechanisms: { type: "array", items: { enum: [...m.mechanisms] } } } },
    })),
  };
}
