import type { FeeSchedule } from "@optex/engine";
import type { HeterogeneousMechanism } from "@optex/theory";
import { type QuadraticInverseFee, quadraticInverseFee } from "./prop3Fee.ts";

/** Proposition 10's trader-specific fees, with each trader's parts exposed. */
export interface Prop10Fee extends FeeSchedule {
  readonly id: "prop10";
  readonly traders: readonly QuadraticInverseFee[];
}

/**
 * Proposition 10 (docs/environments/heterogeneous.md): trader i pays T_i(q, p) = (c_i/2) q^2 - B_i(l) + d_i with
 * l = -q - kappa_i (p - mu_pi), c_i = -1/sum_{j != i} kappa_j (minus trader i's price impact),
 * B_i(l) = ((K - kappa_i)/(K kappa_i)) [(l - mu_i)^2/2 - int_{mu_i}^{l} (v_i^{-1} - mu_i)], and
 * d_i = kappa_i V_{-i} / (2 K (K - kappa_i)) + B_i(L_i), V_{-i} = sum_{j != i} Var v_j, so that
 * participation binds on trader i's flat region. Reduces to Proposition 3 for identical traders.
 * Bidding q_i(p) = -v_i(e_i) - kappa_i (p - mu_pi) is then an ex-post best response (checked by the
 * best responder in test/heterogeneousIncentives.test.ts). `trader` indexes mech.traders.
 */
export function prop10Fee(mech: HeterogeneousMechanism, muPi: number): Prop10Fee {
  const K = mech.totalKappa;
  const totalVariance = mech.traders.reduce((s, vt) => s + vt.varianceVirtualType, 0);
  const traders = mech.traders.map((vt, i) => {
    const kappa = mech.kappas[i]!;
    const others = K - kappa;
    return quadraticInverseFee(vt, {
      kappa,
      muPi,
      c: -1 / others,
      scale: others / (K * kappa),
      dBeforeB: (kappa * (totalVariance - vt.varianceVirtualType)) / (2 * K * others),
    });
  });
  return {
    id: "prop10",
    traders,
    fee: (trader, q, p) => {
      const f = traders[trader];
      if (!f) throw new RangeError(`prop10 fee: trader must be in [0, ${traders.length - 1}], got ${trader}`);
      return f.feeOf(q, p);
    },
  };
}
