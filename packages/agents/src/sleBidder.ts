import { symmetricLinearEquilibrium } from "@optex/theory";
import { type LinearStrategy, linearStrategy } from "./linearStrategy.ts";

/**
 * The plain double auction's symmetric linear equilibrium bid q(p) = -a e - c (p - mu_pi),
 * a = (N-2)/(N-1), c = kappa a. Throws Error when no equilibrium exists (N = 2).
 */
export function sleBidder(traders: number, kappa: number, muPi: number): LinearStrategy {
  const sle = symmetricLinearEquilibrium(traders, kappa);
  if (!sle.exists) throw new Error(sle.reason);
  const { a, c } = sle;
  const shift = c * muPi;
  return linearStrategy("sle", (e) => shift - a * e, c);
}
