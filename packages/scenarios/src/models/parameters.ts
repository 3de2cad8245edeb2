import { InvalidArgumentError } from "commander";
import { FEE_SPECS, feeFromSpec } from "@optex/fees";
import { uniform } from "@optex/theory";
import {
  parseAlpha,
  parseAssetCorrelation,
  parseAssets,
  parseCovariance,
  parseDist,
  parseDists,
  parseDts,
  parseKappa,
  parseKappas,
  parseMuE,
  parseMuPi,
  parsePositiveIn,
  parseRho,
  parseSigma,
  parseTraders,
} from "../cli/options.ts";

/** A parameter's value as the CLI parses it and a scenario file holds it (laws stay spec strings). */
export type ParameterValue = number | string | readonly string[] | readonly number[] | readonly (readonly number[])[];

/**
 * One parameter of the models, declared once: its scenario-file key, its CLI flag, its text parser
 * (which states the allowed range in its error), and how a scenario file's value goes through the
 * same parser. Models list the parameters they take with their defaults (models/registry.ts).
 */
export interface ParameterSpec {
  /** Key in scenario files and JSON (camelCase). */
  readonly key: string;
  /** CLI flag without dashes (kebab-case). */
  readonly flag: string;
  readonly valueName: string;
  readonly description: string;
  /** Its name in words with its symbol, for axis titles and headers (e.g. "signal sd sigma_zeta"). */
  readonly label: string;
  /** Whether a sweep may vary it (one value per task). */
  readonly sweepable: boolean;
  /** JSON Schema of the file value (ranges are checked by parse). */
  readonly jsonSchema: Readonly<Record<string, unknown>>;
  /** From the command line's text. Throws InvalidArgumentError with a one-line message naming the range. */
  parse(raw: string): ParameterValue;
  /** A scenario file's value, through the same checks as the CLI's text. Throws Error (one line). */
  fromFile(value: unknown): ParameterValue;
}

/** Each parameter's name in words. */
const LABELS: Record<string, string> = {
  dist: "law of endowments",
  kappa: "holding capacity kappa",
  traders: "traders N",
  alpha: "weight on revenue alpha",
  muPi: "mean payoff mu_pi",
  sigmaE: "endowment sd sigma_e",
  sigmaZeta: "signal sd sigma_zeta",
  rho: "signal correlation rho",
  muE: "mean endowment mu_e",
  endowmentDist: "law of endowments",
  signalDist: "law of signals",
  assets: "assets k",
  sigmaPi: "payoff sd sigma_pi",
  assetCorrelation: "payoff correlation",
  covariance: "payoff covariance",
  delta: "discount rate delta",
  dt: "time between auctions dt",
  dts: "auction intervals",
  sigma0: "initial endowment sd sigma_0",
  sigmaZ: "shock volatility sigma_Z",
  dists: "laws of endowments",
  kappas: "holding capacities",
  chargedFee: "fee charged",
};

const numberSpec = (
  key: string,
  flag: string,
  description: string,
  parse: (raw: string) => number,
  schema: Record<string, unknown> = {},
): ParameterSpec => ({
  key,
  flag,
  valueName: "<number>",
  description,
  label: LABELS[key] ?? key,
  sweepable: true,
  jsonSchema: { type: "number", description, ...schema },
  parse,
  fromFile: (value) => {
    if (typeof value !== "number") throw new InvalidArgumentError(`${flag} must be a number, got ${JSON.stringify(value)}`);
    return parse(String(value));
  },
});

const lawSpec = (key: string, flag: string, description: string): ParameterSpec => ({
  key,
  flag,
  valueName: "<law>",
  description,
  label: LABELS[key] ?? key,
  sweepable: true,
  jsonSchema: { type: "string", description },
  parse: (raw) => {
    parseDist(raw);
    return raw.trim();
  },
  fromFile: (value) => {
    if (typeof value !== "string")
      throw new InvalidArgumentError(`${flag} must be a law such as "normal:0,1", got ${JSON.stringify(value)}`);
    parseDist(value);
    return value.trim();
  },
});

const LAWS =
  "uniform:A,B | normal:MU,SIGMA | exponential:RATE | laplace:MU,B | student-t:NU,MU,SIGMA | lognormal:MU,SIGMA[,LOC] | mixture:W1*LAW1+W2*LAW2 | empirical:PATH";

/** A fee an exchange charges, as `optex equilibrium --fee` reads it (checked by building it). */
const chargedFeeSpec = (): ParameterSpec => {
  const description = `the fee charged: ${FEE_SPECS}`;
  const parse = (raw: string): string => {
    try {
      feeFromSpec(raw, { dist: uniform(-1, 1), kappa: 1, traders: 3, muPi: 0 });
    } catch (error) {
      throw new InvalidArgumentError((error as Error).message);
    }
    return raw.trim();
  };
  return {
    key: "chargedFee",
    flag: "charged-fee",
    valueName: "<spec>",
    description,
    label: LABELS.chargedFee!,
    sweepable: true,
    jsonSchema: { type: "string", description },
    parse,
    fromFile: (value) => {
      if (typeof value !== "string")
        throw new InvalidArgumentError(`charged-fee must be a fee spec such as "per-unit:0.05", got ${JSON.stringify(value)}`);
      return parse(value);
    },
  };
};

/** Every parameter of every model, by key. */
export const parameterSpecs = {
  chargedFee: chargedFeeSpec(),
  dist: lawSpec("dist", "dist", `law of endowments: ${LAWS}`),
  kappa: numberSpec("kappa", "kappa", "holding capacity kappa, in [1e-9, 1e9]", parseKappa, { minimum: 1e-9, maximum: 1e9 }),
  traders: numberSpec("traders", "traders", "number of traders N, an integer >= 2", parseTraders, {
    type: "integer",
    minimum: 2,
    maximum: 1e7,
  }),
  alpha: numberSpec("alpha", "alpha", "designer's weight on revenue, in [0, 1]", parseAlpha, { minimum: 0, maximum: 1 }),
  muPi: numberSpec("muPi", "mu-pi", "mean payoff of the asset, in [-1e6, 1e6]", parseMuPi, { minimum: -1e6, maximum: 1e6 }),
  sigmaE: numberSpec("sigmaE", "sigma-e", "sd of Gaussian endowments, in (0, 1e9]", parseSigma("sigma-e", false), {
    exclusiveMinimum: 0,
    maximum: 1e9,
  }),
  sigmaZeta: numberSpec("sigmaZeta", "sigma-zeta", "sd of Gaussian signals, in [0, 1e9]", parseSigma("sigma-zeta", true), {
    minimum: 0,
    maximum: 1e9,
  }),
  rho: numberSpec("rho", "rho", "correlation of the signals, in [0, 1)", parseRho, { minimum: 0, exclusiveMaximum: 1 }),
  muE: numberSpec("muE", "mu-e", "mean endowment, in [-1e9, 1e9]", parseMuE, { minimum: -1e9, maximum: 1e9 }),
  endowmentDist: lawSpec(
    "endowmentDist",
    "endowment-dist",
    `any law of endowments (Theorem 3 by convolution; independent signals): ${LAWS}`,
  ),
  signalDist: lawSpec("signalDist", "signal-dist", `any law of the independent signals: ${LAWS}`),
  assets: numberSpec("assets", "assets", "number of assets k, an integer in [1, 1000]", parseAssets, {
    type: "integer",
    minimum: 1,
    maximum: 1000,
  }),
  sigmaPi: numberSpec("sigmaPi", "sigma-pi", "sd of each asset's payoff, in (0, 1e9]", parseSigma("sigma-pi", false), {
    exclusiveMinimum: 0,
    maximum: 1e9,
  }),
  assetCorrelation: numberSpec(
    "assetCorrelation",
    "asset-correlation",
    "common correlation of the assets' payoffs, in (-1, 1)",
    parseAssetCorrelation,
    {
      exclusiveMinimum: -1,
      exclusiveMaximum: 1,
    },
  ),
  covariance: {
    key: "covariance",
    label: LABELS.covariance!,
    flag: "covariance",
    valueName: "<matrix>",
    description: "payoff covariance 'a,b;c,d' (rows separated by ';'); default: equicorrelated from assets, sigma-pi, asset-correlation",
    sweepable: false,
    jsonSchema: { type: "array", items: { type: "array", items: { type: "number" } }, description: "payoff covariance matrix (rows)" },
    parse: parseCovariance,
    fromFile: (value) => {
      if (!Array.isArray(value) || !value.every((row) => Array.isArray(row)))
        throw new InvalidArgumentError("covariance must be an array of rows of numbers");
      return parseCovariance(value.map((row: unknown[]) => row.map((x) => (typeof x === "number" ? String(x) : "?")).join(",")).join(";"));
    },
  },
  delta: numberSpec("delta", "delta", "discount rate delta, in [1e-6, 1e3]", parsePositiveIn("delta", 1e-6, 1e3), {
    minimum: 1e-6,
    maximum: 1e3,
  }),
  dt: numberSpec("dt", "dt", "time between auctions, in [1e-9, 1e6]", parsePositiveIn("dt", 1e-9, 1e6), { minimum: 1e-9, maximum: 1e6 }),
  dts: {
    key: "dts",
    label: LABELS.dts!,
    flag: "dts",
    valueName: "<list>",
    description: "also tabulate these auction intervals, separated by ','",
    sweepable: false,
    jsonSchema: { type: "array", items: { type: "number", minimum: 1e-9, maximum: 1e6 }, description: "auction intervals to tabulate" },
    parse: parseDts,
    fromFile: (value) => {
      if (!Array.isArray(value) || !value.every((x) => typeof x === "number"))
        throw new InvalidArgumentError("dts must be an array of numbers");
      return parseDts(value.join(","));
    },
  },
  sigma0: numberSpec("sigma0", "sigma-0", "sd of the initial endowments, in [0, 1e9]", parseSigma("sigma-0", true), {
    minimum: 0,
    maximum: 1e9,
  }),
  sigmaZ: numberSpec("sigmaZ", "sigma-z", "volatility of the endowment shocks (Brownian), in [0, 1e9]", parseSigma("sigma-z", true), {
    minimum: 0,
    maximum: 1e9,
  }),
  dists: {
    key: "dists",
    label: LABELS.dists!,
    flag: "dists",
    valueName: "<laws>",
    description: "one law per trader, separated by ';'",
    sweepable: false,
    jsonSchema: { type: "array", items: { type: "string" }, minItems: 2, description: "one law of endowments per trader" },
    parse: (raw) => {
      parseDists(raw);
      return raw
        .split(";")
        .map((s) => s.trim())
        .filter((s) => s !== "");
    },
    fromFile: (value) => {
      if (!Array.isArray(value) || !value.every((x) => typeof x === "string"))
        throw new InvalidArgumentError("dists must be an array of laws");
      if (value.length < 2) throw new InvalidArgumentError(`dists needs at least 2 laws (one per trader), got ${value.length}`);
      return value.map((s: string, i: number) => {
        // One law per entry: "a;b" in one entry or an empty entry is a mistake, not two traders or none.
        if (s.includes(";") || s.trim() === "")
          throw new InvalidArgumentError(`dists entry ${i + 1} must be one law, got ${JSON.stringify(s)}`);
        try {
          parseDist(s);
        } catch (error) {
          throw new InvalidArgumentError(`law ${i + 1}: ${(error as Error).message}`);
        }
        return s.trim();
      });
    },
  },
  kappas: {
    key: "kappas",
    label: LABELS.kappas!,
    flag: "kappas",
    valueName: "<list>",
    description: "one holding capacity per trader, separated by ','",
    sweepable: false,
    jsonSchema: {
      type: "array",
      items: { type: "number", minimum: 1e-9, maximum: 1e9 },
      minItems: 2,
      description: "one holding capacity per trader",
    },
    parse: parseKappas,
    fromFile: (value) => {
      if (!Array.isArray(value) || !value.every((x) => typeof x === "number"))
        throw new InvalidArgumentError("kappas must be an array of numbers");
      return parseKappas(value.join(","));
    },
  },
} as const satisfies Record<string, ParameterSpec>;

export type ParameterKey = keyof typeof parameterSpecs;

/** A model's parameter: the shared spec and this model's default (undefined: optional, or required if `required`). */
export interface ModelParameter {
  readonly spec: ParameterSpec;
  readonly default?: ParameterValue;
  readonly required?: boolean;
}

/** A parameter point of a model: every declared key with a value (optional ones may be absent). */
export type ParameterPoint = Readonly<Record<string, ParameterValue>>;
