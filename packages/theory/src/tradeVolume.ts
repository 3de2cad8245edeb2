import { findRoot } from "./brent.ts";
import { integrate, kronrod21Nodes, type QuadratureOptions } from "./quadrature.ts";
import type { Distribution } from "./distribution.ts";
import { TheoryError } from "./theoryError.ts";

/** The support with infinite ends cut at the 2^-53 quantiles (the mass left out is below 1.2e-16). */
export function truncatedSupport(dist: Distribution): [number, number] {
  const tail = 2 ** -53;
  return [Number.isFinite(dist.lower) ? dist.lower : dist.quantile(tail), Number.isFinite(dist.upper) ? dist.upper : dist.quantile(1 - tail)];
}

/**
 * The law of a centred variable W: an atom of mass atomMass at 0 plus W = value(e) for e with
 * density `density` on each piece [from, to] (finite limits; value monotone on each piece).
 */
export interface AtomicLaw {
  atomMass: number;
  pieces: { from: number; to: number; value: (e: number) => number }[];
  density: (e: number) => number;
  /** Standard deviation of W (sets the frequency scale). */
  scale: number;
}

/** Largest phase change (radians) per 21-point Kronrod panel: relative error about 1e-11 for e^{i s w} (exact to degree 31). */
const MAX_PHASE_PER_PANEL = 12;

/**
 * E|c0 W_0 + c1 (W_1 + ... + W_n1)| for iid W with the given law, to an absolute error of about
 * `tolerance` (default 1e-7 times the sd of the sum).
 *
 * Method: E|Y| = (2/pi) int_0^inf (1 - Re phi_Y(t)) / t^2 dt with phi_Y = phi(c0 t) phi(c1 t)^n1.
 * The atom and any jump of the density make phi_Y decay slowly, so the parts of the law of Y in
 * which at most two W_j are off the atom are taken out and done exactly (E|c W| and
 * E|ca Wa + cb Wb| by nested adaptive quadrature); the rest, whose characteristic function decays
 * at least like |C|^3, is integrated octave by octave in t until sup |rest cf| / t is below the
 * tolerance, and its tail mass M / T is added.
 * The characteristic function of W is a fixed-node sum (Kronrod panels sized so the phase changes
 * by at most 12 radians per panel at the octave's highest frequency, except in panels too light to
 * matter: mass below 1e-3 of the tolerance).
 * Throws TheoryError when the octaves do not converge below t = 2^24 / sd.
 */
export function expectedAbsoluteCombination(law: AtomicLaw, c0: number, c1: number, n1: number, tolerance?: number): number {
  const p0 = law.atomMass;
  const q = 1 - p0;
  const sdY = Math.sqrt(c0 * c0 + n1 * c1 * c1) * law.scale;
  if (!(sdY > 0)) return 0;
  const tol = tolerance ?? 1e-7 * sdY;
  // At most ~20 octaves, each given 1/32 of the error budget.
  const quad = { absTol: tol / 32, relTol: 1e-10, maxSubdivisions: 4000 };
  const meanAbsContinuous = meanAbsPair(law, 1, 0, quad) / Math.max(q, Number.MIN_VALUE); // E[|W|; off the atom]
  // Parts of the law of Y with exactly one W_j off the atom...
  const p0n1 = p0 ** n1;
  let exactPart = p0n1 * meanAbsContinuous * (Math.abs(c0) + n1 * Math.abs(c1));
  // ... and with exactly two (E[|ca Wa + cb Wb|; both off] by nested quadrature).
  const p0n2 = n1 >= 1 ? p0 ** (n1 - 1) : 0;
  const pairs0 = n1; // W_0 with one of the others
  const pairs1 = (n1 * (n1 - 1)) / 2; // two of the others
  if (p0n2 > 0) {
    exactPart += p0n2 * (pairs0 * meanAbsPair(law, c0, c1, quad) + (pairs1 > 0 ? pairs1 * meanAbsPair(law, c1, c1, quad) : 0));
  }
  const restMass = Math.max(0, 1 - p0n1 * p0 - (n1 + 1) * p0n1 * q - p0n2 * (pairs0 + pairs1) * q * q);
  if (restMass <= 1e-15) return exactPart;

  const cf = continuousCharacteristicFunction(law, tol / sdY);
  let maxAbsRest = 0;
  // Real part of the characteristic function of the rest of the law (at least two W_j off the atom).
  const restCf = (t: number): number => {
    const [r0, i0] = cf(c0 * t);
    const [r1, i1] = cf(c1 * t);
    // (p0 + C(c1 t))^n1 in polar form.
    const re1 = p0 + r1;
    const modulus = Math.hypot(re1, i1) ** n1;
    const angle = n1 * Math.atan2(i1, re1);
    const pr = modulus * Math.cos(angle);
    const pi = modulus * Math.sin(angle);
    const full = (p0 + r0) * pr - i0 * pi;
    // Subtract the exactly-handled parts: all on the atom, one off, two off.
    const twoOff = pairs0 * (r0 * r1 - i0 * i1) + pairs1 * (r1 * r1 - i1 * i1);
    const rest = full - p0n1 * p0 - p0n1 * (r0 + n1 * r1) - p0n2 * twoOff;
    maxAbsRest = Math.max(maxAbsRest, Math.abs(rest));
    return rest;
  };
  // Near t = 0 the difference below cancels; there the integrand is E_R[Y^2]/2 - O(t^2 E_R[Y^4]),
  // and dropping the O(t^2) term on [0, 1e-3/sd] costs less than 1e-10 sd.
  // E_R[Y^2]: the parts taken out carry p0^n1 (c0^2 + n1 c1^2) E[W^2] and p0^(n1-1) q (pairs0 (c0^2 + c1^2) + 2 pairs1 c1^2) E[W^2].
  const w2 = law.scale * law.scale;
  const secondMomentRest = Math.max(0, w2 * ((c0 * c0 + n1 * c1 * c1) * (1 - p0n1) - p0n2 * q * (pairs0 * (c0 * c0 + c1 * c1) + 2 * pairs1 * c1 * c1)));
  const small = 1e-3 / sdY;
  const integrand = (t: number) => (t < small ? 0.5 * secondMomentRest : (restMass - restCf(t)) / (t * t));
  let lo = 0;
  let hi = 0.5 / sdY;
  let sum = integrate(integrand, lo, hi, quad).value;
  for (;;) {
    lo = hi;
    hi = 2 * hi;
    maxAbsRest = 0;
    sum += integrate(integrand, lo, hi, quad).value;
    // Beyond hi the rest contributes restMass / hi exactly, plus at most sup|rest cf| / hi.
    if ((maxAbsRest / hi) * (2 / Math.PI) <= tol) break;
    if (hi * sdY > 2 ** 24) throw new TheoryError("expected absolute trade: characteristic function did not decay");
  }
  return exactPart + (2 / Math.PI) * (sum + restMass / hi);
}

/** s -> [Re C(s), Im C(s)], C(s) = E[e^{i s W}; W off the atom], with node sets cached per octave of |s|. */
function continuousCharacteristicFunction(law: AtomicLaw, massTolerance: number): (s: number) => [number, number] {
  const cache = new Map<number, { values: Float64Array; weights: Float64Array }>();
  const nodesFor = (level: number) => {
    let nodes = cache.get(level);
    if (!nodes) {
      nodes = buildNodes(law, 2 ** level / law.scale, massTolerance);
      cache.set(level, nodes);
    }
    return nodes;
  };
  return (s: number) => {
    const level = Math.max(0, Math.ceil(Math.log2(Math.abs(s) * law.scale + 1e-300)));
    const { values, weights } = nodesFor(level);
    let re = 0;
    let im = 0;
    for (let k = 0; k < values.length; k++) {
      const phase = s * values[k]!;
      re += weights[k]! * Math.cos(phase);
      im += weights[k]! * Math.sin(phase);
    }
    return [re, im];
  };
}

function buildNodes(law: AtomicLaw, maxFrequency: number, massTolerance: number): { values: Float64Array; weights: Float64Array } {
  const values: number[] = [];
  const weights: number[] = [];
  for (const piece of law.pieces) {
    if (!(piece.to > piece.from)) continue;
    const maxWidth = (piece.to - piece.from) / 16;
    const stack: [number, number][] = [[piece.from, piece.to]];
    while (stack.length > 0) {
      const [a, b] = stack.pop()!;
      const phase = maxFrequency * Math.abs(piece.value(b) - piece.value(a));
      // A panel's error is at most twice its mass, so light panels need not resolve the phase.
      const heavy = phase > MAX_PHASE_PER_PANEL && 0.5 * (b - a) * (law.density(a) + law.density(b)) > 1e-3 * massTolerance;
      if ((heavy || b - a > maxWidth) && b - a > 1e-12 * (1 + Math.abs(a))) {
        const mid = 0.5 * (a + b);
        stack.push([mid, b], [a, mid]);
        continue;
      }
      const panel = kronrod21Nodes(a, b);
      for (let j = 0; j < 21; j++) {
        values.push(piece.value(panel.nodes[j]!));
        weights.push(panel.weights[j]! * law.density(panel.nodes[j]!));
      }
    }
  }
  return { values: Float64Array.from(values), weights: Float64Array.from(weights) };
}

/**
 * E[|ca Wa + cb Wb|; Wa and Wb off the atom] for independent copies (cb = 0 gives |ca| E[|W|; off]).
 * The inner integral is split where its argument changes sign (w is monotone on each piece).
 */
function meanAbsPair(law: AtomicLaw, ca: number, cb: number, quad: QuadratureOptions): number {
  const mass = law.pieces.reduce((acc, p) => (p.to > p.from ? acc + integrate(law.density, p.from, p.to, quad).value : acc), 0);
  const inner = (z: number): number => {
    if (cb === 0) return Math.abs(z) * mass;
    let total = 0;
    for (const piece of law.pieces) {
      if (!(piece.to > piece.from)) continue;
      const g = (y: number) => z + cb * piece.value(y);
      const ga = g(piece.from);
      const gb = g(piece.to);
      const part = (a: number, b: number, sign: number) => sign * integrate((y) => g(y) * law.density(y), a, b, quad).value;
      if (ga >= 0 && gb >= 0) total += part(piece.from, piece.to, 1);
      else if (ga <= 0 && gb <= 0) total += part(piece.from, piece.to, -1);
      else {
        const root = findRoot(g, piece.from, piece.to, { tolerance: 1e-15 * (1 + Math.abs(piece.to - piece.from)) });
        total += part(piece.from, root, ga > 0 ? 1 : -1) + part(root, piece.to, gb > 0 ? 1 : -1);
      }
    }
    return total;
  };
  let outer = 0;
  for (const piece of law.pieces) {
    if (piece.to > piece.from) outer += integrate((x) => inner(ca * piece.value(x)) * law.density(x), piece.from, piece.to, quad).value;
  }
  return outer;
}