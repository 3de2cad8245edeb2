import { type FeeSchedule, noFee } from "@optex/engine";
import { basicEnvironment, type Distribution, solveVirtualType } from "@optex/theory";
import { prop3Fee } from "./prop3Fee.ts";

// Fees an exchange can actually charge, beside the paper's optimal ones: their equilibria are
// computed numerically (the equilibrium solver), not derived. Each is a FeeSchedule with its batch
// path; q > 0 buys, q < 0 sells.

/** T(q) = (C/2) q^2: a quadratic fee (C < 0 subsidises large trades, as Proposition 3's does). */
export function quadraticFee(c: number): FeeSchedule {
  finite("quadratic: C", c);
  return {
    id: `quadratic:${c}`,
    fee: (_i, q) => 0.5 * c * q * q,
    feesInto: (q, _p, out) => {
      for (let i = 0; i < q.length; i++) out[i] = 0.5 * c * q[i]! * q[i]!;
    },
  };
}

/** T(q) = TAU |q|: the same charge per unit bought or sold. */
export function perUnitFee(tau: number): FeeSchedule {
  nonNegative("per-unit: TAU", tau);
  return { ...buySellFee(tau, tau), id: `per-unit:${tau}` };
}

/** T(q) = TB q for purchases (q > 0) and TS |q| for sales: different per-unit charges for buyers and sellers. */
export function buySellFee(tauBuy: number, tauSell: number): FeeSchedule {
  nonNegative("buy-sell: TB", tauBuy);
  nonNegative("buy-sell: TS", tauSell);
  const of = (q: number) => (q > 0 ? tauBuy * q : q < 0 ? -tauSell * q : 0);
  return {
    id: `buy-sell:${tauBuy},${tauSell}`,
    fee: (_i, q) => of(q),
    feesInto: (q, _p, out) => {
      for (let i = 0; i < q.length; i++) out[i] = of(q[i]!);
    },
  };
}

/** T(q) = FIXED + TAU |q| when q != 0, and 0 for no trade: a two-part tariff (an access charge per trade). */
export function twoPartFee(fixed: number, tau: number): FeeSchedule {
  nonNegative("two-part: FIXED", fixed);
  nonNegative("two-part: TAU", tau);
  const of = (q: number) => (q === 0 ? 0 : fixed + tau * Math.abs(q));
  return {
    id: `two-part:${fixed},${tau}`,
    fee: (_i, q) => of(q),
    feesInto: (q, _p, out) => {
      for (let i = 0; i < q.length; i++) out[i] = of(q[i]!);
    },
  };
}

/** The basic environment a fee spec is built for (prop3 needs the law, capacity and N). */
export interface FeeSpecEnvironment {
  readonly dist: Distribution;
  readonly kappa: number;
  readonly traders: number;
  readonly muPi: number;
}

/** The fee specs `feeFromSpec` reads, for help texts and errors. */
export const FEE_SPECS = "none, prop3:ALPHA, quadratic:C, per-unit:TAU, buy-sell:TB,TS, two-part:FIXED,TAU";

/**
 * The fee a spec names: `none`, `prop3:ALPHA` (Proposition 3's fee at weight ALPHA in [0, 1]),
 * `quadratic:C`, `per-unit:TAU`, `buy-sell:TB,TS`, `two-part:FIXED,TAU` (charges >= 0). Throws
 * RangeError (one line naming the spec and the allowed range) for anything else.
 */
export function feeFromSpec(spec: string, environment: FeeSpecEnvironment): FeeSchedule {
  const [name, rest = ""] = splitOnce(spec.trim(), ":");
  const args = rest === "" ? [] : rest.split(",").map((s) => Number(s.trim()));
  const need = (count: number, form: string) => {
    if (args.length !== count || args.some((x) => !Number.isFinite(x)) || rest.split(",").some((s) => s.trim() === ""))
      throw new RangeError(`fee "${spec}": expected ${form} with finite numbers`);
  };
  switch (name) {
    case "none":
      if (rest !== "") throw new RangeError(`fee "${spec}": none takes no parameters`);
      return noFee;
    case "prop3": {
      need(1, "prop3:ALPHA");
      const alpha = args[0]!;
      if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`fee "${spec}": ALPHA must be in [0, 1], got ${alpha}`);
      const env = basicEnvironment(environment);
      return prop3Fee(env, solveVirtualType(env.dist, alpha));
    }
    case "quadratic":
      need(1, "quadratic:C");
      return quadraticFee(args[0]!);
    case "per-unit":
      need(1, "per-unit:TAU");
      return perUnitFee(args[0]!);
    case "buy-sell":
      need(2, "buy-sell:TB,TS");
      return buySellFee(args[0]!, args[1]!);
    case "two-part":
      need(2, "two-part:FIXED,TAU");
      return twoPartFee(args[0]!, args[1]!);
    default:
      throw new RangeError(`fee "${spec}": unknown; expected one of ${FEE_SPECS}`);
  }
}

function splitOnce(s: string, separator: string): [string, string?] {
  const at = s.indexOf(separator);
  return at < 0 ? [s] : [s.slice(0, at), s.slice(at + 1)];
}

function finite(name: string, x: number): void {
  if (!Number.isFinite(x)) throw new RangeError(`${name} must be a finite number, got ${x}`);
}

function nonNegative(name: string, x: number): void {
  if (!(Number.isFinite(x) && x >= 0)) throw new RangeError(`${name} must be a finite number >= 0, got ${x}`);
}
