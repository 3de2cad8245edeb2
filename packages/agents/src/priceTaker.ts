import { type LinearStrategy, linearStrategy } from "./linearStrategy.ts";

/**
 * Competitive price taker: maximises mu_pi q - p q - ((e+q)^2 - e^2)/(2 kappa) ignoring its price
 * impact, so q(p) = -e - kappa (p - mu_pi).
 */
export function priceTaker(kappa: number, muPi: number): LinearStrategy {
  const shift = kappa * muPi;
  return linearStrategy("price-taker", (e) => shift - e, kappa);
}
