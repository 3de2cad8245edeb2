/**
 * Eq. (1) in expectation over the payoff pi (independent of trades): the gain of buying X at total
 * price T over autarky, mu_pi X - T - ((e + X)^2 - e^2) / (2 kappa).
 */
export function utilityGain(endowment: number, trade: number, transfer: number, kappa: number, muPi: number): number {
  return muPi * trade - transfer - (trade * (2 * endowment + trade)) / (2 * kappa);
}
