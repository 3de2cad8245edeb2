import { type MultiAssetEnvironment, normal, radialMechanism } from "@optex/theory";

/**
 * Proposition 7's radial virtual type v(r) = r - alpha (1 - F_k(r))/f_k(r) outside the ball r <= r*
 * (0 inside), with the hazard's inverse of r ~ sigma_e chi_k in closed form instead of the
 * incomplete gamma function (the bidders' hot path in Monte Carlo): with t = r / sigma_e,
 *   h_1(t) = (1 - Phi(t))/phi(t),   h_2(t) = 1/t,   h_{k+2}(t) = k h_k(t)/t^2 + 1/t,
 * from Q_{k+2} = Q_k + g_{k+2}/t and g_{k+2} = g_k t^2/k for the survival Q_k and density g_k of
 * chi_k (every term positive: no cancellation, and exact far in the tail where gammainc
 * underflows). The radius is the theory's. Checked against radialMechanism's v in simulation.test.ts.
 */
export function radialVirtualType(env: MultiAssetEnvironment): { readonly radius: number; v(r: number): number } {
  const { radius } = radialMechanism(env);
  const { assets: k, sigmaE, alpha } = env;
  const mills = normal(0, 1).survivalOverPdf;
  const odd = k % 2 === 1;
  const hazardInverse = (t: number) => {
    let h = odd ? mills(t) : 1 / t;
    const inv = 1 / t;
    for (let j = odd ? 1 : 2; j < k; j += 2) h = j * h * inv * inv + inv;
    return h;
  };
  return {
    radius,
    v: (r) => (r <= radius ? 0 : r - alpha * sigmaE * hazardInverse(r / sigmaE)),
  };
}
