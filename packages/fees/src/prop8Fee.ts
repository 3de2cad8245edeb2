import { findRoot, integrate, type QuinticHermiteTable, quinticHermiteTable } from "@optex/numerics";
import { chiLaw, type MultiAssetEnvironment, radialMechanism } from "@optex/theory";

/** Section 6 under Condition 3, with the means that Proposition 8's proof sets to 0. */
export interface Prop8Environment extends MultiAssetEnvironment {
  /** Mean endowment vector mu_e (length `assets`; default 0). */
  readonly muE?: readonly number[];
  /** Mean payoff vector mu_pi (length `assets`; default 0). */
  readonly muPi?: readonly number[];
}

/**
 * Proposition 8's cross-exchange fee, corrected (docs/environments/multi-asset.md), with its parts exposed:
 *   T(q, p) = (c/2) |q|^2 - B(|y|) + d,   y = -q - slope (p - mu_pi) - mu_e   (vectors in R^k),
 * equivalently the printed form b(|y|^2) + (c/2)|q|^2 + d with b(x) = -B(sqrt x).
 */
export interface Prop8Fee {
  readonly id: "prop8";
  readonly assets: number;
  readonly traders: number;
  readonly muE: readonly number[];
  readonly muPi: readonly number[];
  /** Quadratic coefficient -sigma_pi^2 / (kappa (N-1)): minus the price impact in each auction. */
  readonly c: number;
  /** Participation constant sigma_pi^2 E[v(r)^2] / (2 N kappa): interim gain 0 on the ball. */
  readonly d: number;
  /** kappa / sigma_pi^2: the truthful schedules' slope, and the one in the fee's argument y. */
  readonly slope: number;
  /** Radius r* of the ball |e - mu_e| <= r* where participation binds (Proposition 7). */
  readonly radius: number;
  /** Proposition 7's radial virtual type v(r) (0 on the ball). */
  v(r: number): number;
  /** The radius R >= r* with v(R) = s for s > 0; r* for s <= 0 (the ball collapses to v = 0). */
  vInverse(s: number): number;
  /** B(rho) = ((N-1) sigma_pi^2 / (N kappa)) [rho^2/2 - int_0^rho v^{-1}(s) ds], rho >= 0. */
  B(rho: number): number;
  /** The paper's b(x) = ((N-1)/N)(sigma_pi^2/kappa) [int_0^{sqrt x} v^{-1}(s) ds - x/2] = -B(sqrt x), x >= 0. */
  b(x: number): number;
  /** The fee's argument y_a = -q_a - slope (p_a - mu_pi_a) - mu_e_a: the schedule's implied virtual type vector. */
  argument(q: readonly number[], p: readonly number[]): number[];
  /** T(q, p): what the trader pays on top of sum_a p_a q_a. Throws RangeError unless q and p have length `assets`. */
  feeOf(q: readonly number[], p: readonly number[]): number;
  /** The truthful linear bid q_a(p) = intercept_a(e) - slope p_a: intercept_a = slope mu_pi_a - mu_e_a - v(r) (e_a - mu_e_a)/r. */
  intercepts(endowment: readonly number[]): number[];
}

/**
 * Proposition 8 for k assets (docs/environments/multi-asset.md; the paper's proof sets sigma_pi = 1, mu = 0):
 * trader i submits q_a(p_a) = -(mu_e_a + v(r) etilde_a) - slope (p_a - mu_pi_a) in each asset's
 * auction, slope = kappa / sigma_pi^2. Against such bids, the residual supply in asset a has price
 * impact 1/((N-1) slope) = -c, and with y as above, dy/dq = -(N/(N-1)) I, so the payoff's gradient is
 *   grad W(q) = (y - x)/slope - (N/(N-1)) grad B(y) = (w(y) - x)/slope,   x = e - mu_e,
 * where grad B(y) = scale (y - w(y)), w(y) = v^{-1}(|y|) y/|y| (the inverse of x -> v(|x|) x/|x|),
 * scale = (N-1)/(N slope). w is monotone (its Jacobian is positive definite), so W is concave with
 * a concave kink at y = 0, and it is maximised at y = v(r) etilde for every residual supply: the
 * truthful bid is an ex-post best response, and clearing gives Proposition 7's allocation. The
 * interim gain is ((N-1)/(N slope)) int_{r*}^{r} v, 0 on the ball once d = E[v^2]/(2 N slope); the
 * expected fee per trader, -E[B(v(r))], equals the radial mechanism's revenue.
 * Errata: the printed argument q + p/N is wrong (and needs + mu_e when mu_e != 0); the hypothesis is
 * Condition 3, not Condition 1; the printed b and c are right.
 * B is computed from v^{-1}(rho) = R and J(R) = int_{r*}^{R} (1 - F_k)/f_k, using
 *   int_0^rho v^{-1} = rho R - int_{r*}^{R} v  and  R - rho = alpha (1 - F_k(R))/f_k(R):
 *   B(rho) = scale [alpha^2 h(R)^2/2 - r*^2/2 - alpha J(R)],  h = (1 - F_k)/f_k,
 * and tabulated in rho by quintic Hermite interpolation of the exact B, B', B'' (k = 2 against the
 * closed form: error 3e-14 of the payoff scale sigma_pi^2 sigma_e^2 / kappa for alpha >= 0.1,
 * 5e-13 at alpha = 0.01, 4e-11 at 0.001); beyond the tables B is evaluated exactly.
 * Throws TheoryError for a bad environment (radialMechanism), RangeError for means of the wrong length.
 */
export function prop8Fee(env: Prop8Environment): Prop8Fee {
  const { assets: k, traders: N, kappa, sigmaE, sigmaPi, alpha } = env;
  const mech = radialMechanism(env);
  const muE = meanVector("muE", env.muE, k);
  const muPi = meanVector("muPi", env.muPi, k);
  const slope = kappa / (sigmaPi * sigmaPi);
  const scale = (N - 1) / (N * slope);
  const c = -1 / ((N - 1) * slope);
  const radius = mech.radius;
  const law = chiLaw(k, sigmaE);
  const s2 = sigmaE * sigmaE;
  const h = radialHazardInverse(law, k, sigmaE);
  // Proposition 7's v with h accurate in the far tail too (radialMechanism's v jumps where the density underflows).
  const v = (r: number) => (alpha === 0 ? r : r <= radius ? 0 : r - alpha * h(r));
  // v'(R) = 1 - alpha h'(R), with h' = -1 - h f'/f and f'/f = (k-1)/R - R/sigma_e^2 for sigma_e chi_k.
  const vPrime = (R: number) => 1 + alpha + alpha * h(R) * ((k - 1) / R - R / s2);
  const vInverse = (s: number): number => {
    if (!(s > 0)) return radius;
    if (alpha === 0) return s;
    // v(R) <= R and h decreases (chi_k is log-concave), so the root lies in [lo, lo + alpha h(lo)].
    const lo = Math.max(s, radius);
    let hi = lo + alpha * h(lo);
    for (let n = 0; n < 60 && !(v(hi) >= s); n++) hi += hi - lo + sigmaE; // guards the tail where h switches to its asymptote
    return findRoot((R) => v(R) - s, lo, hi, { absoluteTolerance: 1e-16 * (sigmaE + s) });
  };
  const quad = { absTol: 1e-17 * s2, relTol: 1e-14, maxSubdivisions: 200 };
  // J at increasing radii: exact B at rho integrates h from the nearest known R.
  const knownR: number[] = [radius];
  const knownJ: number[] = [0];
  const J = (R: number): number => {
    let j = knownR.length - 1;
    while (j > 0 && knownR[j]! > R) j--;
    return knownJ[j]! + integrate(h, knownR[j]!, R, quad).value;
  };
  /** Exact B at rho >= 0 given R = v^{-1}(rho) and J(R). */
  const exactFrom = (R: number, JR: number) => {
    const ah = R === radius ? radius : alpha * h(R); // = R - rho; exact at rho = 0
    return scale * (0.5 * ah * ah - 0.5 * radius * radius - alpha * JR);
  };
  const exactB = (rho: number) => {
    const R = vInverse(rho);
    return exactFrom(R, J(R));
  };

  // Quintic Hermite tables, built on first use (a few ms): B varies on the scale of the radius near
  // rho = 0 (for k >= 2, h ~ r^{1-k} steepens v there) and of sigma_e beyond, so a fine table
  // covers [0, 8 r*] and a coarse one the rest up to rhoMax; B is exact beyond.
  const rhoMax = 12 * sigmaE * Math.sqrt(k);
  const rhoInner = Math.min(8 * radius, rhoMax);
  let tables: { inner: QuinticHermiteTable; outer: QuinticHermiteTable } | undefined;
  const node = (rho: number): [number, number, number] => {
    const R = vInverse(rho);
    const JR = J(R);
    // Grow the J cache in order, so each node integrates h over one short cell only.
    if (R > knownR[knownR.length - 1]!) {
      knownR.push(R);
      knownJ.push(JR);
    }
    // B' = scale (rho - R) and B'' = scale (1 - 1/v'(R)), from grad B = scale (y - w(y)).
    return [exactFrom(R, JR), scale * (rho - R), scale * (1 - 1 / vPrime(R))];
  };
  const B = (rho: number): number => {
    if (alpha === 0) return 0; // first best: v^{-1}(s) = s
    if (!(rho >= 0)) throw new RangeError(`B: rho must be >= 0, got ${rho}`);
    if (rho >= rhoMax) return exactB(rho);
    tables ??= {
      inner: quinticHermiteTable(0, rhoInner, 256, node),
      outer: quinticHermiteTable(rhoInner, rhoMax, Math.ceil(256 * Math.sqrt(k)), node),
    };
    return rho < rhoInner ? tables.inner.at(rho) : tables.outer.at(rho);
  };
  // d = E[v^2]/(2 N slope); far in the tail the density underflows before v grows.
  const Evv =
    alpha === 0
      ? k * s2
      : integrate(
          (r) => {
            const f = law.pdf(r);
            return f === 0 ? 0 : v(r) * v(r) * f;
          },
          radius,
          Infinity,
          { absTol: 1e-15 * s2, relTol: 1e-12, maxSubdivisions: 4000 },
        ).value;
  const d = Evv / (2 * N * slope);

  const checkLength = (name: string, x: readonly number[]) => {
    if (x.length !== k) throw new RangeError(`prop8 fee: ${name} must have length ${k} (one entry per asset), got ${x.length}`);
  };
  const argument = (q: readonly number[], p: readonly number[]) => {
    checkLength("q", q);
    checkLength("p", p);
    return q.map((qa, a) => -qa - slope * (p[a]! - muPi[a]!) - muE[a]!);
  };
  return {
    id: "prop8",
    assets: k,
    traders: N,
    muE,
    muPi,
    c,
    d,
    slope,
    radius,
    v,
    vInverse,
    B,
    b: (x) => -B(Math.sqrt(x)),
    argument,
    feeOf: (q, p) => {
      checkLength("q", q);
      checkLength("p", p);
      let qq = 0;
      let yy = 0;
      for (let a = 0; a < k; a++) {
        const y = -q[a]! - slope * (p[a]! - muPi[a]!) - muE[a]!;
        qq += q[a]! * q[a]!;
        yy += y * y;
      }
      return 0.5 * c * qq - B(Math.sqrt(yy)) + d;
    },
    intercepts: (e) => {
      checkLength("endowment", e);
      const x = e.map((ea, a) => ea - muE[a]!);
      const r = Math.hypot(...x);
      const shrink = r > 0 ? v(r) / r : 0; // v = 0 on the ball, so the direction at r = 0 is moot
      return x.map((xa, a) => slope * muPi[a]! - muE[a]! - shrink * xa);
    },
  };
}

/**
 * (1 - F_k(r))/f_k(r) for r ~ sigma chi_k. Where survival or density leave the normal range
 * (x = r^2/(2 sigma^2) > ~660), the asymptotic series of the upper incomplete gamma function,
 * Gamma(s, x) ~ x^{s-1} e^{-x} sum_n (s-1)(s-2)...(s-n)/x^n with s = k/2, gives
 * sigma^2/r times that sum (terms fall fast for x >> s, so the ratio stays smooth).
 */
function radialHazardInverse(
  law: { pdf(r: number): number; survival(r: number): number },
  k: number,
  sigma: number,
): (r: number) => number {
  const s = k / 2;
  return (r) => {
    const f = law.pdf(r);
    const S = law.survival(r);
    const x = (r * r) / (2 * sigma * sigma);
    if ((f > 1e-290 && S > 1e-290) || x < 2 * s + 10) return S / f; // near 0 the density may underflow: h is huge there
    let term = 1;
    let sum = 1;
    for (let n = 1; n <= 30 && Math.abs(term) > 1e-17; n++) {
      term *= (s - n) / x;
      sum += term;
    }
    return ((sigma * sigma) / r) * sum;
  };
}

function meanVector(name: string, mu: readonly number[] | undefined, k: number): readonly number[] {
  if (mu === undefined) return Object.freeze(new Array<number>(k).fill(0));
  if (mu.length !== k || mu.some((m) => !Number.isFinite(m)))
    throw new RangeError(`prop8 fee: ${name} must be ${k} finite numbers (one per asset)`);
  return Object.freeze([...mu]);
}
