import { integrate, kronrod21Nodes } from "@optex/numerics";
import { chiLaw, type MultiAssetEnvironment, radialMechanism } from "@optex/theory";

/**
 * Expected trade volume per trader, E sum_a |X_ia|, of Proposition 7's radial mechanism (derived
 * here; the paper gives no formula). The allocation X_i = -w_i + (1/N) sum_j w_j, w_j = v(r_j) u_j
 * with u_j the direction of e_j - mu_e, so each coordinate is
 *   X_ia = c0 W_i + c1 sum_{j != i} W_j,   c0 = -(N-1)/N,  c1 = 1/N,
 * with W_j = V_j U_j iid across traders: V = v(R), R ~ sigma_e chi_k (an atom at V = 0 of mass
 * p0 = P(R <= r*), the ball), independent of U, the first coordinate of a uniform direction in R^k.
 * E|U W| is then symmetric in the coordinates, so the volume is k E|X_ia|, and
 *   E|Y| = (2/pi) int_0^inf (1 - phi_Y(t)) / t^2 dt,   phi_Y(t) = phi_W(c0 t) phi_W(c1 t)^(N-1),
 *   phi_W(s) = p0 + psi(s),   psi(s) = int_{r*}^inf f_R(r) Lambda_k(s v(r)) dr,
 * where Lambda_k(z) = E cos(z U) = Gamma(k/2) (2/z)^(k/2-1) J_{k/2-1}(z) (cos z for k = 1). For
 * k >= 2 the density of W has a log singularity at 0, so psi decays only like 1/s; the terms of
 * phi_Y with a single psi factor (one trader off the ball, the others on it) are taken out and done
 * exactly: p0^(N-1) (|c0| + (N-1)|c1|) E[V] E|U|. The rest decays like 1/t^2 and is integrated
 * octave by octave until sup|rest| / t is below the tolerance; its tail mass M / T is added.
 * Checked in simulation.test.ts against Theorem 1's trade volume at k = 1 and by Monte Carlo.
 * Throws TheoryError for a bad environment and RangeError for more than MAX_VOLUME_ASSETS assets.
 */
export function radialTradeVolume(env: MultiAssetEnvironment, relativeTolerance = 1e-8): number {
  const { assets: k, traders: N, sigmaE } = env;
  if (k > MAX_VOLUME_ASSETS) throw new RangeError(`radial trade volume is derived for at most ${MAX_VOLUME_ASSETS} assets, got ${k}`);
  const mech = radialMechanism(env);
  const law = chiLaw(k, sigmaE);
  const radius = mech.radius;
  const p0 = radius > 0 ? law.cdf(radius) : 0;
  // P(R > sigma_e (sqrt k + 9)) <= e^{-81/2} (the norm of a Gaussian vector is 1-Lipschitz).
  const rMax = sigmaE * (Math.sqrt(k) + 9);
  const lambda = besselLambda(k);
  const c0 = -(N - 1) / N;
  const c1 = 1 / N;

  // Fixed Kronrod nodes in r, refined per octave of the frequency so that s v changes by at most
  // MAX_PHASE radians across a panel.
  const base = panelEdges(radius, rMax, 64);
  const nodeSets = new Map<number, { v: Float64Array; w: Float64Array }>();
  const nodesFor = (sMax: number) => {
    const level = Math.max(0, Math.ceil(Math.log2(sMax * sigmaE + 1e-300)));
    let set = nodeSets.get(level);
    if (set) return set;
    const top = 2 ** level / sigmaE;
    const v: number[] = [];
    const w: number[] = [];
    for (let j = 0; j + 1 < base.length; j++) {
      const a = base[j]!;
      const b = base[j + 1]!;
      const pieces = Math.max(1, Math.ceil((top * Math.abs(mech.v(b) - mech.v(a))) / MAX_PHASE));
      for (let m = 0; m < pieces; m++) {
        const rule = kronrod21Nodes(a + ((b - a) * m) / pieces, a + ((b - a) * (m + 1)) / pieces);
        rule.nodes.forEach((r, n) => {
          v.push(mech.v(r));
          w.push(rule.weights[n]! * law.pdf(r));
        });
      }
    }
    set = { v: Float64Array.from(v), w: Float64Array.from(w) };
    nodeSets.set(level, set);
    return set;
  };
  const psi = (s: number) => {
    const { v, w } = nodesFor(Math.abs(s));
    let sum = 0;
    for (let j = 0; j < v.length; j++) sum += w[j]! * lambda(Math.abs(s) * v[j]!);
    return sum;
  };

  const { v: v0, w: w0 } = nodesFor(0);
  let offMass = 0;
  let meanV = 0;
  let meanV2 = 0;
  for (let j = 0; j < v0.length; j++) {
    offMass += w0[j]!;
    meanV += w0[j]! * v0[j]!;
    meanV2 += w0[j]! * v0[j]! * v0[j]!;
  }
  const meanAbsU = gammaHalf(k) / (Math.sqrt(Math.PI) * gammaHalf(k + 1));
  const exactPart = p0 ** (N - 1) * (Math.abs(c0) + (N - 1) * Math.abs(c1)) * meanV * meanAbsU;
  // Mass of the rest: every term of phi_Y with no psi factor or one.
  const restMass = 1 - p0 ** N - N * p0 ** (N - 1) * offMass;
  if (!(restMass > 1e-15)) return k * exactPart;
  const meanW2 = meanV2 / k;
  const sdY = Math.sqrt((c0 * c0 + (N - 1) * c1 * c1) * meanW2);
  const tol = relativeTolerance * sdY;
  let supRest = 0;
  const rest = (t: number) => {
    const a = psi(c0 * t);
    const b = psi(c1 * t);
    const value = (p0 + a) * (p0 + b) ** (N - 1) - p0 ** N - p0 ** (N - 1) * (a + (N - 1) * b);
    supRest = Math.max(supRest, Math.abs(value));
    return value;
  };
  // Near t = 0 the integrand tends to E_rest[Y^2]/2, the second moment the single-psi terms leave.
  const secondMomentRest = (c0 * c0 + (N - 1) * c1 * c1) * meanW2 * (1 - p0 ** (N - 1));
  const small = 1e-3 / sdY;
  const integrand = (t: number) => (t < small ? 0.5 * secondMomentRest : (restMass - rest(t)) / (t * t));
  const quad = { absTol: tol / 64, relTol: 1e-11, maxSubdivisions: 4000 };
  let hi = 0.5 / sdY;
  let sum = integrate(integrand, 0, hi, quad).value;
  for (;;) {
    const lo = hi;
    hi *= 2;
    supRest = 0;
    sum += integrate(integrand, lo, hi, quad).value;
    // |int_hi^inf rest / t^2| <= sup|rest| / hi once the rest decays.
    if (((2 / Math.PI) * supRest) / hi <= tol) break;
    if (hi * sdY > 2 ** 20) throw new RangeError("radial trade volume: the characteristic function did not decay");
  }
  return k * (exactPart + (2 / Math.PI) * (sum + restMass / hi));
}

/** Largest number of assets the derivation supports (Lambda_k's Hankel expansion needs z >> (k/2 - 1)^2). */
export const MAX_VOLUME_ASSETS = 8;

/** Largest change of s v(r) across one 21-point Kronrod panel (exact to degree 31). */
const MAX_PHASE = 12;

function panelEdges(from: number, to: number, count: number): number[] {
  return Array.from({ length: count + 1 }, (_, j) => (j === count ? to : from + ((to - from) * j) / count));
}

/** Gamma(n / 2) for a positive integer n. */
function gammaHalf(n: number): number {
  let g = n % 2 === 0 ? 1 : Math.sqrt(Math.PI);
  for (let x = n % 2 === 0 ? 1 : 0.5; x < n / 2; x += 1) g *= x;
  return g;
}

/** Below this argument Lambda_k is summed by its power series, above by Hankel's expansion. */
const SERIES_LIMIT = 12;

/**
 * Lambda_k(z) = E cos(z U) = 0F1(; k/2; -z^2/4), U the first coordinate of a uniform direction in
 * R^k: the power series for z <= 12 (terms below ~4e3, so ~1e-12 absolute), Hankel's asymptotic
 * expansion of J_nu, nu = k/2 - 1, above (finite for odd k; for even k the smallest term near
 * j = 2z is below 1e-10 at z = 12).
 */
export function besselLambda(k: number): (z: number) => number {
  const nu = k / 2 - 1;
  const mu = 4 * nu * nu;
  // a_j = prod_{i=1}^{j} (mu - (2i-1)^2) / (j! 8^j).
  const a: number[] = [1];
  for (let j = 1; j <= 60; j++) {
    const next = (a[j - 1]! * (mu - (2 * j - 1) ** 2)) / (j * 8);
    a.push(next);
    if (next === 0) break;
  }
  const prefactor = gammaHalf(k);
  return (z) => {
    if (z <= SERIES_LIMIT) {
      const x = -0.25 * z * z;
      let term = 1;
      let sum = 1;
      for (let m = 0; m < 200; m++) {
        term *= x / ((k / 2 + m) * (m + 1));
        sum += term;
        if (Math.abs(term) < 1e-17 * Math.max(1, Math.abs(sum)) && m >= 0.5 * z) break;
      }
      return sum;
    }
    // J_nu(z) = sqrt(2/(pi z)) (P cos w - Q sin w), w = z - nu pi/2 - pi/4, summed to the smallest term.
    let P = 0;
    let Q = 0;
    let zj = 1;
    let last = Infinity;
    for (let j = 0; j < a.length; j++) {
      const term = a[j]! / zj;
      if (Math.abs(term) > last) break;
      last = Math.abs(term);
      const sign = (j >> 1) % 2 === 0 ? 1 : -1;
      if (j % 2 === 0) P += sign * term;
      else Q += sign * term;
      if (term === 0 || last < 1e-17) break;
      zj *= z;
    }
    const w = z - (nu * Math.PI) / 2 - Math.PI / 4;
    const J = Math.sqrt(2 / (Math.PI * z)) * (P * Math.cos(w) - Q * Math.sin(w));
    return prefactor * (2 / z) ** nu * J;
  };
}
