import {
  type CrossExchangeFee,
  crossExchangeFee,
  type FeeSchedule,
  type MarketFee,
  noCrossExchangeFee,
  noFee,
  perAssetFee,
} from "@optex/engine";
import {
  basicEnvironment,
  type BasicEnvironment,
  type HeterogeneousMechanism,
  normal,
  solveVirtualType,
  type VirtualType,
} from "@optex/theory";
import { prop10Fee } from "./prop10Fee.ts";
import { prop3Fee } from "./prop3Fee.ts";
import { type AdverseSelectionFeeEnvironment, prop5Fee } from "./prop5Fee.ts";
import { type AdverseSelectionLawsFeeEnvironment, prop5LawsFee } from "./prop5LawsFee.ts";
import { type Prop8Environment, prop8Fee } from "./prop8Fee.ts";

/** The environments of the paper a fee module is built for. */
export type FeeModel = "basic" | "heterogeneous" | "adverse-selection" | "multi-asset" | "correlated-assets" | "dynamic";

/** A registered fee module: what it implements, for which environment, with which strategy. */
export interface FeeModuleInfo {
  readonly id: string;
  readonly model: FeeModel;
  /** The paper's result it implements. */
  readonly paper: string;
  /** Parameters it is built from (besides the environment's). */
  readonly parameters: readonly string[];
  /** The strategy under which the law suite checks it. */
  readonly strategy: string;
  readonly summary: string;
  /** Null for a real module; for a negative control, why the law suite must reject it. */
  readonly control: string | null;
}

/**
 * Every fee module, by id: the implementing fees of Propositions 3, 5, 8 and 10, the plain double
 * auction, and negative controls (printed-formula variants and fee-less truthful bidding) that the
 * incentive-compatibility law suite must reject. Scenarios, `optex ic` and the tests name them.
 */
export const feeModules: readonly FeeModuleInfo[] = Object.freeze([
  {
    id: "none",
    model: "basic",
    paper: "Section 4 (plain double auction)",
    parameters: [],
    strategy: "sle",
    summary: "no fee; traders play the symmetric linear equilibrium",
    control: null,
  },
  {
    id: "prop3",
    model: "basic",
    paper: "Proposition 3",
    parameters: ["alpha"],
    strategy: "truthful-virtual-type",
    summary: "(c/2) q^2 - B(-q - kappa (p - mu_pi)) + d, c = -1/((N-1) kappa)",
    control: null,
  },
  {
    id: "prop10",
    model: "heterogeneous",
    paper: "Proposition 10",
    parameters: ["alpha"],
    strategy: "truthful-virtual-type",
    summary: "trader-specific (c_i/2) q^2 - B_i(l_i) + d_i, c_i = -1/sum_{j != i} kappa_j",
    control: null,
  },
  {
    id: "prop5",
    model: "adverse-selection",
    paper: "Proposition 5",
    parameters: ["alpha"],
    strategy: "truthful-effective-type",
    summary: "(c/2) q^2 - B(l) + psi(S) q + d on effective types t = e/kappa - zeta, S = q - (N-1) kappa p revealed by the price",
    control: null,
  },
  {
    id: "prop8",
    model: "multi-asset",
    paper: "Proposition 8",
    parameters: ["alpha"],
    strategy: "truthful-radial-virtual-type",
    summary: "cross-exchange (c/2)|q|^2 - B(|y|) + d, y = -q - (kappa/sigma_pi^2)(p - mu_pi) - mu_e, c = -sigma_pi^2/(kappa (N-1))",
    control: null,
  },
  {
    id: "none-truthful",
    model: "basic",
    paper: "Section 4",
    parameters: ["alpha"],
    strategy: "truthful-virtual-type",
    summary: "no fee, virtual types bid truthfully",
    control: "truthful bids ignore price impact without the fee",
  },
  {
    id: "prop3-printed",
    model: "basic",
    paper: "Proposition 3 as printed",
    parameters: ["alpha"],
    strategy: "truthful-virtual-type",
    summary: "printed a = -N/(N-1) and argument -q - p/N",
    control: "the printed coefficient and argument (see docs/ERRATA.md)",
  },
  {
    id: "prop10-none",
    model: "heterogeneous",
    paper: "Section 7",
    parameters: ["alpha"],
    strategy: "truthful-virtual-type",
    summary: "no fee, heterogeneous traders bid their virtual types",
    control: "truthful bids ignore price impact without the fee",
  },
  {
    id: "prop5-no-psi",
    model: "adverse-selection",
    paper: "Proposition 5 without psi(S) q",
    parameters: ["alpha"],
    strategy: "truthful-effective-type",
    summary: "Proposition 3's fee on effective types, no inference term",
    control: "without psi(S) q the price's news about the others' signals is not offset",
  },
  {
    id: "prop5-none",
    model: "adverse-selection",
    paper: "Section 5",
    parameters: ["alpha"],
    strategy: "truthful-effective-type",
    summary: "no fee, effective types bid truthfully",
    control: "truthful bids ignore price impact and inference without the fee",
  },
  {
    id: "prop8-printed",
    model: "multi-asset",
    paper: "Proposition 8 as printed",
    parameters: ["alpha"],
    strategy: "truthful-radial-virtual-type",
    summary: "printed argument q + p/N",
    control: "the printed argument q + p/N (see docs/ERRATA.md)",
  },
  {
    id: "prop8-none",
    model: "multi-asset",
    paper: "Section 6",
    parameters: ["alpha"],
    strategy: "truthful-radial-virtual-type",
    summary: "separate auctions without the cross-exchange fee",
    control: "truthful bids ignore price impact without the fee",
  },
  {
    id: "prop6",
    model: "correlated-assets",
    paper: "Proposition 6",
    parameters: [],
    strategy: "truthful-first-best",
    summary:
      "one auction per uncorrelated derivative Q^T pi (Sigma = Q diag(lambda) Q^T), capacity kappa/lambda_a, first-best fee (c_a/2) q^2 + d_a, c_a = -lambda_a/((N-1) kappa)",
    control: null,
  },
  {
    id: "prop6-none",
    model: "correlated-assets",
    paper: "Section 6",
    parameters: [],
    strategy: "truthful-first-best",
    summary: "the derivatives' auctions without fees, truthful bids",
    control: "truthful bids ignore price impact without the fee",
  },
  {
    id: "prop12",
    model: "dynamic",
    paper: "Proposition 12",
    parameters: [],
    strategy: "truthful-holding",
    summary:
      "(c/2) q^2 in every auction, c = -1/((N-1) kappa delta), holdings bid truthfully q = -y - kappa delta p; participation charge G(mu_e) at t = 0",
    control: null,
  },
  {
    id: "prop12-none",
    model: "dynamic",
    paper: "Proposition 12 without the fee",
    parameters: [],
    strategy: "truthful-holding",
    summary: "no fee; holdings bid truthfully q = -y - kappa delta p in every auction",
    control: "truthful bids ignore price impact without the fee",
  },
] satisfies FeeModuleInfo[]);

/**
 * What a fee module is built from: the environment of its model (and, for the basic model, the
 * virtual type when the caller already solved it).
 */
export type FeeEnvironment =
  | { readonly model: "basic"; readonly env: BasicEnvironment; readonly alpha: number; readonly vt?: VirtualType }
  | { readonly model: "heterogeneous"; readonly mechanism: HeterogeneousMechanism; readonly muPi: number }
  | { readonly model: "adverse-selection"; readonly env: AdverseSelectionFeeEnvironment | AdverseSelectionLawsFeeEnvironment }
  | { readonly model: "multi-asset"; readonly env: Prop8Environment }
  | {
      readonly model: "correlated-assets";
      readonly traders: number;
      readonly kappa: number;
      /** sd of each auctioned holding (N(0, sigma_e^2) in every auction). */
      readonly sigmaE: number;
      /** Payoff variance of each auctioned asset: capacity kappa / variance (Proposition 6). */
      readonly variances: readonly number[];
    }
  | { readonly model: "dynamic"; readonly traders: number; readonly kappa: number; readonly delta: number };

/** A fee module built for an environment: its registry entry and the fee the engine charges. */
export interface BuiltFee {
  readonly info: FeeModuleInfo;
  readonly fee: MarketFee;
  /** The single-asset schedule, when the market has one asset and the fee is per asset. */
  readonly schedule: FeeSchedule | null;
}

/**
 * Builds the registered fee module `id` for its model's environment: the one place where fees are
 * assembled (scenarios, the IC oracle, simulations and tests call this). Throws Error (one line)
 * for an unknown id or an environment of another model.
 * @example buildFee("prop3", { model: "basic", env, alpha: 0.5 }).schedule!.fee(0, 0.2, 0.1)
 */
export function buildFee(id: string, environment: FeeEnvironment): BuiltFee {
  const info = feeModule(id);
  if (info.model !== environment.model) {
    const ids = feeModules.filter((m) => m.model === environment.model).map((m) => m.id);
    throw new Error(`fee "${id}" is for the ${info.model} model, not ${environment.model}; use one of ${ids.join(", ")}`);
  }
  const single = (schedule: FeeSchedule): BuiltFee => ({ info, fee: perAssetFee(schedule), schedule });
  switch (environment.model) {
    case "basic": {
      const { env } = environment;
      if (id === "none" || id === "none-truthful") return single(noFee);
      const vt = environment.vt ?? solveVirtualType(env.dist, environment.alpha);
      const fee = prop3Fee(env, vt);
      if (id === "prop3") return single(fee);
      // prop3-printed: the statement's a = -N/(N-1) and argument -q - p/N.
      const N = env.traders;
      const a = -N / (N - 1);
      return single({ id: "prop3-printed", fee: (_i, q, p) => 0.5 * a * q * q - fee.B(-q - p / N) + fee.d });
    }
    case "heterogeneous":
      return single(id === "prop10" ? prop10Fee(environment.mechanism, environment.muPi) : noFee);
    case "adverse-selection": {
      if (id === "prop5-none") return single(noFee);
      // Gaussian laws in closed form (prop5Fee); any laws by convolution (prop5LawsFee).
      const f = "endowment" in environment.env ? prop5LawsFee(environment.env) : prop5Fee(environment.env);
      if (id === "prop5") return single(f);
      return single({ id: "prop5-no-psi", fee: (i, q, price) => f.fee(i, q, price) - f.othersSignal(f.revealedOthers(q, price)) * q });
    }
    case "multi-asset": {
      const k = environment.env.assets;
      if (id === "prop8-none") return { info, fee: crossExchangeFee(noCrossExchangeFee), schedule: null };
      const f = prop8Fee(environment.env);
      if (id === "prop8") return { info, fee: crossExchangeFee({ id: "prop8", feeOf: (q, p) => f.feeOf(q, p) }), schedule: null };
      // prop8-printed: b(sum_a (q_a + p_a/N)^2) + (c/2)|q|^2 + d.
      const printed: CrossExchangeFee = {
        id: "prop8-printed",
        feeOf: (q, p) => {
          let arg = 0;
          let qq = 0;
          for (let a = 0; a < k; a++) {
            arg += (q[a]! + p[a]! / f.traders) ** 2;
            qq += q[a]! ** 2;
          }
          return f.b(arg) + 0.5 * f.c * qq + f.d;
        },
      };
      return { info, fee: crossExchangeFee(printed), schedule: null };
    }
    case "correlated-assets": {
      const { traders, kappa, sigmaE, variances } = environment;
      if (id === "prop6-none") return { info, fee: perAssetFee(noFee, variances.length), schedule: null };
      // One first-best (alpha = 0) Proposition 3 fee per auction, capacity kappa / variance.
      const law = normal(0, sigmaE);
      const vt = solveVirtualType(law, 0);
      const schedules = variances.map((variance) => prop3Fee(basicEnvironment({ dist: law, kappa: kappa / variance, traders }), vt));
      return { info, fee: perAssetFee(schedules), schedule: schedules.length === 1 ? schedules[0]! : null };
    }
    case "dynamic": {
      if (id === "prop12-none") return single(noFee);
      // Proposition 12: (c/2) q^2 per auction, c = -1/((N-1) kappa delta) (minus the price impact).
      const c = -1 / ((environment.traders - 1) * environment.kappa * environment.delta);
      const fee: FeeSchedule = {
        id: "prop12",
        fee: (_i, q) => 0.5 * c * q * q,
        feesInto: (q, _p, out) => {
          for (let i = 0; i < q.length; i++) out[i] = 0.5 * c * q[i]! * q[i]!;
        },
      };
      return single(fee);
    }
  }
}

/** The module registered under `id`. Throws Error (one line, listing the ids) for an unknown id. */
export function feeModule(id: string): FeeModuleInfo {
  const m = feeModules.find((x) => x.id === id);
  if (!m) throw new Error(`unknown fee "${id}"; expected one of ${feeModules.map((x) => x.id).join(", ")}`);
  return m;
}
