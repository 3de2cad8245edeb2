import type { VirtualType } from "@optex/theory";
import { type LinearStrategy, linearStrategyOf } from "./linearStrategy.ts";

/**
 * Bids the virtual type (proof sketch of Proposition 3, eq. (5) with mu_pi):
 * q(p) = -v(e) - kappa (p - mu_pi). Under the Proposition 3 fee this is a best response;
 * with alpha = 0 (v(e) = e) it is also the competitive price taker's schedule.
 * When v is exactly piecewise polynomial (vt.vPieces: uniform laws, alpha = 0) the batch method
 * evaluates the pieces (no calls through the law's functions); the values are v's to rounding.
 */
export function truthfulBidder(vt: VirtualType, kappa: number, muPi: number): LinearStrategy {
  const shift = kappa * muPi;
  const v = vt.v;
  const pieces = vt.vPieces;
  const id = vt.alpha === 0 ? "truthful-first-best" : "truthful-virtual-type";
  if (pieces) {
    return linearStrategyOf({
      id,
      intercept: (e) => shift - pieces.at(e),
      // out[k] = shift - v(e_k), in one loop over the pieces.
      interceptsInto: (endowments, out) => pieces.affineInto(endowments, out, 1, 0, -1, shift, 0),
      slope: kappa,
    });
  }
  return linearStrategyOf({
    id,
    intercept: (e) => shift - v(e),
    interceptsInto: (endowments, out) => {
      for (let k = 0; k < endowments.length; k++) out[k] = shift - v(endowments[k]!);
    },
    slope: kappa,
  });
}
