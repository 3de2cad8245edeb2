import { feeModule, feeModules } from "@optex/fees";
import { table } from "../output/format.ts";
import { InputError } from "../inputError.ts";
import { type IcEnvironment, type LawReport, runLaws } from "./laws.ts";
import type { ModelDefinition } from "../models/model.ts";
import type { ParameterPoint } from "../models/parameters.ts";
import { models, tradersOf } from "../models/registry.ts";

/** The largest market the IC oracle checks (20,000 traders take about 7 s for 3 markets here). */
export const IC_MAX_TRADERS = 20_000;

/** Models with an incentive-compatibility environment (optex ic --model). */
export const icModelIds = models.filter((m) => m.ic).map((m) => m.id);

export interface IcRunOptions {
  /** Registered fee module (default: the model's implementing fee). */
  readonly fee?: string;
  readonly cases: number;
  readonly seed: number;
  readonly participationMarkets: number;
}

/** Builds the environment `optex ic` checks. Throws InputError (one line) for a fee of another model. */
export function icEnvironment(model: ModelDefinition, params: ParameterPoint, feeId?: string): IcEnvironment<unknown> {
  if (!model.ic)
    throw new InputError(`model ${model.id} has no incentive-compatibility environment; optex ic takes --model ${icModelIds.join(", ")}`);
  const traders = tradersOf(params);
  if (traders > IC_MAX_TRADERS) {
    throw new InputError(
      `optex ic: traders must be an integer in [2, ${IC_MAX_TRADERS}], got ${traders} (each market's laws are checked trader by trader, and a failing market is shrunk trader by trader)`,
    );
  }
  const fee = feeId ?? model.ic.defaultFee;
  let info: ReturnType<typeof feeModule>;
  try {
    info = feeModule(fee);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (info.model !== model.id) {
    const ids = feeModules.filter((m) => m.model === model.id).map((m) => m.id);
    throw new InputError(`fee "${fee}" is for --model ${info.model}; for --model ${model.id} use one of ${ids.join(", ") || "(none yet)"}`);
  }
  return model.ic.environment(params, fee);
}

/** Runs the law suite of `optex ic`. */
export function runIc(model: ModelDefinition, params: ParameterPoint, o: IcRunOptions): LawReport {
  // Heterogeneous traders each have their own fee: check every one of them.
  const env = icEnvironment(model, params, o.fee);
  return runLaws(env, {
    cases: o.cases,
    seed: o.seed,
    participationSamples: o.participationMarkets,
    tradersChecked: model.ic?.tradersChecked ?? "ends",
  });
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** The human-readable report of `optex ic`. */
export function icTable(r: LawReport): string {
  const verdict = (pass: boolean) => (pass ? "pass" : "FAIL");
  const rows: string[][] = [
    [
      "incentive compatibility (relative regret)",
      sci(r.laws.incentiveCompatibility.largest),
      `<= ${sci(r.laws.incentiveCompatibility.tolerance)}`,
      verdict(r.laws.incentiveCompatibility.pass),
    ],
    ["sum of trades = 0", sci(r.laws.balance.largest), `<= ${sci(r.laws.balance.tolerance)}`, verdict(r.laws.balance.pass)],
    ["revenue = sum of fees", sci(r.laws.budget.largest), `<= ${sci(r.laws.budget.tolerance)}`, verdict(r.laws.budget.pass)],
    ["trades and fees finite", "", "", verdict(r.laws.finite.pass)],
    ["every market clears (unique price, finite fees)", r.laws.cleared.reason ?? "", "", verdict(r.laws.cleared.pass)],
  ];
  const rv = r.laws.revenue;
  if (rv)
    rows.push([
      "expected revenue = theory (per market)",
      `${sci(rv.mean)} ± ${sci(rv.halfWidth)}`,
      `theory ${sci(rv.theory)}`,
      verdict(rv.pass),
    ]);
  for (const p of r.laws.participation?.points ?? [])
    rows.push([`interim gain >= 0: ${p.label}`, `${sci(p.mean)} ± ${sci(p.halfWidth)}`, ">= -half-width", verdict(p.pass)]);
  const head = `Law suite: model ${r.model}, fee ${r.fee}, strategy ${r.strategy}, ${r.cases} markets, seed ${r.seed}; parameters ${JSON.stringify(r.parameters)}`;
  const worst = r.worstCase
    ? `largest regret ${sci(r.largestRegret)} (trader ${r.worstCase.trader}, ${r.worstCase.deviation}) in market ${JSON.stringify(r.worstCase.types)}`
    : "";
  return [
    head,
    table(["law", "largest", "tolerance", "result"], rows),
    worst,
    r.counterexample ? `first failing market, shrunk by fast-check:\n${r.counterexample}` : "",
    r.pass ? "PASS" : "FAIL",
  ]
    .filter((s) => s !== "")
    .join("\n");
}
