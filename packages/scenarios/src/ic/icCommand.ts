import { feeModule, feeModules } from "@optex/fees";
import type { Distribution } from "@optex/theory";
import { table } from "../format.ts";
import { InputError } from "../inputError.ts";
import { type IcEnvironment, type LawReport, runLaws } from "./laws.ts";
import { basicIcEnvironment, heterogeneousIcEnvironment } from "./singleAsset.ts";
import { multiAssetIcEnvironment } from "./multiAsset.ts";
import { adverseSelectionIcEnvironment } from "./adverseSelection.ts";

export const icModels = ["basic", "heterogeneous", "adverse-selection", "multi-asset"] as const;
export type IcModel = (typeof icModels)[number];

/** The fee module each model uses when --fee is not given: the paper's implementing fee. */
export const defaultIcFee: Record<IcModel, string> = {
  basic: "prop3",
  heterogeneous: "prop10",
  "adverse-selection": "prop5",
  "multi-asset": "prop8",
};

export interface IcOptions {
  readonly model: IcModel;
  readonly fee?: string;
  readonly dist: Distribution;
  readonly dists?: readonly Distribution[];
  readonly kappas?: readonly number[];
  readonly traders: number;
  readonly kappa: number;
  readonly alpha: number;
  readonly muPi: number;
  readonly cases: number;
  readonly seed: number;
  readonly participationMarkets: number;
  /** multi-asset and adverse-selection: Gaussian endowment sd; multi-asset: assets and payoff sd. */
  readonly sigmaE: number;
  readonly assets: number;
  readonly sigmaPi: number;
  /** adverse-selection: signal sd and mean endowment. */
  readonly sigmaZeta: number;
  readonly muE: number;
}

/** Builds the environment `optex ic` checks. Throws InputError (one line) for a fee of another model. */
export function icEnvironment(o: IcOptions): IcEnvironment<unknown> {
  const fee = o.fee ?? defaultIcFee[o.model];
  let info;
  try {
    info = feeModule(fee);
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (info.model !== o.model) {
    const ids = feeModules.filter((m) => m.model === o.model).map((m) => m.id);
    throw new InputError(`fee "${fee}" is for --model ${info.model}; for --model ${o.model} use one of ${ids.join(", ") || "(none yet)"}`);
  }
  switch (o.model) {
    case "basic":
      if (fee === "none" && o.traders < 3) throw new InputError("fee none: the plain double auction has no linear equilibrium with 2 traders; traders must be >= 3");
      return basicIcEnvironment({ dist: o.dist, traders: o.traders, kappa: o.kappa, alpha: o.alpha, muPi: o.muPi }, fee) as IcEnvironment<unknown>;
    case "heterogeneous": {
      if (!o.dists || !o.kappas) throw new InputError("--model heterogeneous needs --dists and --kappas");
      if (o.dists.length !== o.kappas.length) throw new InputError(`--dists has ${o.dists.length} laws but --kappas has ${o.kappas.length} values; they must match`);
      return heterogeneousIcEnvironment({ dists: o.dists, kappas: o.kappas, alpha: o.alpha, muPi: o.muPi }, fee) as IcEnvironment<unknown>;
    }
    case "adverse-selection":
      return adverseSelectionIcEnvironment({ traders: o.traders, kappa: o.kappa, muE: o.muE, sigmaE: o.sigmaE, sigmaZeta: o.sigmaZeta, alpha: o.alpha }, fee) as IcEnvironment<unknown>;
    case "multi-asset":
      // The joint best response searches R^k by Nelder-Mead from several starts: beyond 8 assets a market takes seconds.
      if (o.assets > 8) throw new InputError(`optex ic --model multi-asset: assets must be an integer in [1, 8], got ${o.assets}`);
      return multiAssetIcEnvironment({ assets: o.assets, traders: o.traders, kappa: o.kappa, sigmaE: o.sigmaE, sigmaPi: o.sigmaPi, alpha: o.alpha }, fee) as IcEnvironment<unknown>;
    default:
      throw new InputError(`--model ${o.model}: no fee module is registered yet`);
  }
}

/** Runs the law suite of `optex ic`. */
export function runIc(o: IcOptions): LawReport {
  // Heterogeneous traders each have their own fee: check every one of them.
  return runLaws(icEnvironment(o), { cases: o.cases, seed: o.seed, participationSamples: o.participationMarkets, tradersChecked: o.model === "heterogeneous" ? "all" : "ends" });
}

const sci = (x: number) => (Number.isFinite(x) ? x.toExponential(2) : String(x));

/** The human-readable report of `optex ic`. */
export function icTable(r: LawReport): string {
  const verdict = (pass: boolean) => (pass ? "pass" : "FAIL");
  const rows: string[][] = [
    ["incentive compatibility (relative regret)", sci(r.laws.incentiveCompatibility.largest), `<= ${sci(r.laws.incentiveCompatibility.tolerance)}`, verdict(r.laws.incentiveCompatibility.pass)],
    ["sum of trades = 0", sci(r.laws.balance.largest), `<= ${sci(r.laws.balance.tolerance)}`, verdict(r.laws.balance.pass)],
    ["revenue = sum of fees", sci(r.laws.budget.largest), `<= ${sci(r.laws.budget.tolerance)}`, verdict(r.laws.budget.pass)],
    ["trades and fees finite", "", "", verdict(r.laws.finite.pass)],
    ["every market clears (unique price, finite fees)", r.laws.cleared.reason ?? "", "", verdict(r.laws.cleared.pass)],
  ];
  const rv = r.laws.revenue;
  if (rv) rows.push(["expected revenue = theory (per market)", `${sci(rv.mean)} ± ${sci(rv.halfWidth)}`, `theory ${sci(rv.theory)}`, verdict(rv.pass)]);
  for (const p of r.laws.participation?.points ?? []) rows.push([`interim gain >= 0: ${p.label}`, `${sci(p.mean)} ± ${sci(p.halfWidth)}`, ">= -half-width", verdict(p.pass)]);
  const head = `Law suite: model ${r.model}, fee ${r.fee}, strategy ${r.strategy}, ${r.cases} markets, seed ${r.seed}; parameters ${JSON.stringify(r.parameters)}`;
  const worst = r.worstCase ? `largest regret ${sci(r.largestRegret)} (trader ${r.worstCase.trader}, ${r.worstCase.deviation}) in market ${JSON.stringify(r.worstCase.types)}` : "";
  return [head, table(["law", "largest", "tolerance", "result"], rows), worst, r.counterexample ? `first failing market, shrunk by fast-check:\n${r.counterexample}` : "", r.pass ? "PASS" : "FAIL"].filter((s) => s !== "").join("\n");
}
