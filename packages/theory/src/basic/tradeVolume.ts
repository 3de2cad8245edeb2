import { gaussLegendreRule, integrate } from "@optex/numerics";
import type { Distribution } from "../laws/distribution.ts";
import { TheoryError } from "../theoryError.ts";

/** The support with infinite ends cut at the 2^-53 quantiles (the mass left out is below 1.2e-16). */
export function truncatedSupport(dist: Distribution): [number, number] {
  const tail = 2 ** -53;
  return [
    Number.isFinite(dist.lower) ? dist.lower : dist.quantile(tail),
    Number.isFinite(dist.upper) ? dist.upper : dist.quantile(1 - tail),
  ];
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

/**
 * Largest phase change (radians) of e^{i s w} across one 32-point Gauss-Legendre panel: the rule
 * integrates e^{i omega x} on [-1, 1] with omega = 32 to a relative error of 5e-14 (exact to degree 63).
 */
const MAX_PHASE_PER_PANEL = 64;

/**
 * E|c0 W_0 + c1 (W_1 + ... + W_n1)| for iid W with the given law, to an absolute error of about
 * `tolerance` (default 1e-7 times the sd of the sum).
 *
 * Method: E|Y| = (2/pi) int_0^inf (1 - Re phi_Y(t)) / t^2 dt with phi_Y = phi(c0 t) phi(c1 t)^n1.
 * The atom and any jump of the density make phi_Y decay slowly, so the parts of the law of Y in
 * which at most two W_j are off the atom are taken out and done exactly (E|c W| and
 * E|ca Wa + cb Wb| in closed form from the law's partial masses and first moments, which are
 * Legendre series on each panel); the rest, whose characteristic function decays at least like
 * |C|^3, is integrated octave by octave in t until sup |rest cf| / t is below the tolerance, and its
 * tail mass M / T is added.
 * The characteristic function C of W off the atom is a fixed-node sum over 32-point
 * Gauss-Legendre panels (adapted to the law, then split so the phase changes by at most 64 radians
 * per panel at the octave's highest frequency); at octave L >= 1 panels of total mass up to a
 * budget eps_L are left out, with eps_L chosen so that the error they cause in E|Y| is at most
 * tolerance / 128 per octave (|d rest / d C(c0 t)| <= 1 and |d rest / d C(c1 t)| <= n1).
 * Throws TheoryError when the octaves do not converge below t = 2^24 / sd.
 */
export function expectedAbsoluteCombination(law: AtomicLaw, c0: number, c1: number, n1: number, tolerance?: number): number {
  const p0 = law.atomMass;
  const q = 1 - p0;
  const sdY = Math.sqrt(c0 * c0 + n1 * c1 * c1) * law.scale;
  if (!(sdY > 0)) return 0;
  // A zero coefficient would leave an atom at Y = 0 in the rest (its cf would not decay): drop the term.
  if (c1 === 0 || n1 === 0) return Math.abs(c0) * meanAbsInner(tabulateLaw(law), 0, 1);
  if (c0 === 0) return expectedAbsoluteCombination(law, c1, c1, n1 - 1, tolerance);
  const tol = tolerance ?? 1e-7 * sdY;
  const table = tabulateLaw(law);
  const meanAbsContinuous = meanAbsInner(table, 0, 1); // E[|W|; off the atom]
  // Parts of the law of Y with exactly one W_j off the atom...
  const p0n1 = p0 ** n1;
  let exactPart = p0n1 * meanAbsContinuous * (Math.abs(c0) + n1 * Math.abs(c1));
  // ... and with exactly two (E[|ca Wa + cb Wb|; both off]).
  const p0n2 = n1 >= 1 ? p0 ** (n1 - 1) : 0;
  const pairs0 = n1; // W_0 with one of the others
  const pairs1 = (n1 * (n1 - 1)) / 2; // two of the others
  if (p0n2 > 0) {
    exactPart += p0n2 * (pairs0 * meanAbsPair(table, c0, c1) + (pairs1 > 0 ? pairs1 * meanAbsPair(table, c1, c1) : 0));
  }
  const restMass = Math.max(0, 1 - p0n1 * p0 - (n1 + 1) * p0n1 * q - p0n2 * (pairs0 + pairs1) * q * q);
  if (restMass <= 1e-15) return exactPart;

  // Mass that may be left out of the node set at octave L >= 1 (s in (2^(L-1), 2^L] / scale):
  // the error in E|Y| is at most (2/pi)(|c0| + n1 |c1|) int |dC(s)| / s^2 ds <= tol / 128.
  const dropBudget = (level: number) =>
    level < 1 ? 0 : ((Math.PI / 2) * (tol / 128) * 2 ** (level - 1)) / (law.scale * (Math.abs(c0) + n1 * Math.abs(c1)));
  const cf = continuousCharacteristicFunction(table, law, dropBudget);
  let maxAbsRest = 0;
  // Real part of the characteristic function of the rest of the law (at least three W_j off the atom).
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
  const secondMomentRest = Math.max(
    0,
    w2 * ((c0 * c0 + n1 * c1 * c1) * (1 - p0n1) - p0n2 * q * (pairs0 * (c0 * c0 + c1 * c1) + 2 * pairs1 * c1 * c1)),
  );
  const small = 1e-3 / sdY;
  const integrand = (t: number) => (t < small ? 0.5 * secondMomentRest : (restMass - restCf(t)) / (t * t));
  // At most ~20 octaves, each given 1/32 of the error budget.
  const quad = { absTol: tol / 32, relTol: 1e-10, maxSubdivisions: 4000 };
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

// ---------------------------------------------------------------------------------------------
// Gauss-Legendre panels and Legendre series

const ORDER = 32;

const { nodes: GL_X, weights: GL_W } = gaussLegendreRule(ORDER);

/** c_m = sum_j TO_COEFS[m ORDER + j] F(x_j): Legendre coefficients of the degree-31 interpolant at the nodes. */
const TO_COEFS = (() => {
  const matrix = new Float64Array(ORDER * ORDER);
  for (let j = 0; j < ORDER; j++) {
    let pPrev = 0;
    let p = 1;
    for (let m = 0; m < ORDER; m++) {
      matrix[m * ORDER + j] = ((2 * m + 1) / 2) * GL_W[j]! * p;
      const next = ((2 * m + 1) * GL_X[j]! * p - m * pPrev) / (m + 1);
      pPrev = p;
      p = next;
    }
  }
  return matrix;
})();

function legendreCoefficients(values: Float64Array): Float64Array {
  const coefs = new Float64Array(ORDER);
  for (let m = 0; m < ORDER; m++) {
    let acc = 0;
    for (let j = 0; j < ORDER; j++) acc += TO_COEFS[m * ORDER + j]! * values[j]!;
    coefs[m] = acc;
  }
  return coefs;
}

/** Coefficients of int_{-1}^{x} sum c_m P_m, using int_{-1}^x P_m = (P_{m+1} - P_{m-1}) / (2m + 1). */
function antiderivative(coefs: Float64Array): Float64Array {
  const out = new Float64Array(ORDER + 1);
  out[0] += coefs[0]!;
  out[1] += coefs[0]!;
  for (let m = 1; m < ORDER; m++) {
    const c = coefs[m]! / (2 * m + 1);
    out[m + 1] += c;
    out[m - 1] -= c;
  }
  return out;
}

function legendreSeries(coefs: Float64Array, x: number): number {
  let pPrev = 1;
  let p = x;
  let acc = coefs[0]! + coefs[1]! * x;
  for (let m = 1; m + 1 < coefs.length; m++) {
    const next = ((2 * m + 1) * x * p - m * pPrev) / (m + 1);
    pPrev = p;
    p = next;
    acc += coefs[m + 1]! * p;
  }
  return acc;
}

/** The series and its derivative at x. */
function legendreSeriesWithSlope(coefs: Float64Array, x: number): [number, number] {
  let pPrev = 1;
  let p = x;
  let dPrev = 0;
  let d = 1;
  let acc = coefs[0]! + coefs[1]! * x;
  let slope = coefs[1]!;
  for (let m = 1; m + 1 < coefs.length; m++) {
    const next = ((2 * m + 1) * x * p - m * pPrev) / (m + 1);
    const dNext = dPrev + (2 * m + 1) * p; // P'_{m+1} = P'_{m-1} + (2m+1) P_m
    pPrev = p;
    p = next;
    dPrev = d;
    d = dNext;
    acc += coefs[m + 1]! * p;
    slope += coefs[m + 1]! * d;
  }
  return [acc, slope];
}

/** Largest of the last four coefficients: what the degree-31 interpolant leaves unresolved. */
function tailSize(coefs: Float64Array): number {
  let tail = 0;
  for (let m = ORDER - 4; m < ORDER; m++) tail = Math.max(tail, Math.abs(coefs[m]!));
  return tail;
}

/** A panel [a, b] of one piece on which density and value are resolved by their Legendre series in x = (2e - a - b)/(b - a). */
interface Panel {
  a: number;
  b: number;
  mass: number;
  moment: number; // int v f
  /** v at the ends (from the series, so roots found on the series are bracketed). */
  va: number;
  vb: number;
  values: Float64Array; // v at the nodes
  weights: Float64Array; // Gauss weight x density at the nodes (in e units)
  valueCoefs: Float64Array;
  massIntegral: Float64Array; // series of int_a^e f de, in units of (b - a)/2
  momentIntegral: Float64Array;
}

interface PieceTable {
  value: (e: number) => number;
  panels: Panel[];
  /** Mass and first moment of the panels before panel k (length panels + 1). */
  cumMass: Float64Array;
  cumMoment: Float64Array;
  increasing: boolean;
  vMin: number;
  vMax: number;
}

interface LawTable {
  density: (e: number) => number;
  pieces: PieceTable[];
  /**
   * W at the ends of all panels: the density of W may jump at the ends of the pieces, and any kink
   * of it lies inside a tiny panel (the bisection stops only once the density is resolved).
   */
  ends: number[];
}

/** Largest error in a panel's mass (and first moment / scale) left by the Legendre tails. */
const RESOLVED = 1e-14;
/** At most this many panels per piece (a guard against laws computed with noise). */
const MAX_PANELS = 2000;

function makePanel(law: AtomicLaw, value: (e: number) => number, a: number, b: number): { panel: Panel; resolved: boolean } {
  const half = 0.5 * (b - a);
  const center = 0.5 * (a + b);
  const f = new Float64Array(ORDER);
  const v = new Float64Array(ORDER);
  const vf = new Float64Array(ORDER);
  const weights = new Float64Array(ORDER);
  let fMax = 0;
  for (let j = 0; j < ORDER; j++) {
    const e = center + half * GL_X[j]!;
    const density = law.density(e);
    const w = value(e);
    if (!Number.isFinite(density) || !Number.isFinite(w))
      throw new TheoryError(`expected absolute trade: density or value not finite at e=${e}`);
    f[j] = density;
    v[j] = w;
    vf[j] = w * density;
    weights[j] = GL_W[j]! * half * density;
    fMax = Math.max(fMax, Math.abs(density));
  }
  const fCoefs = legendreCoefficients(f);
  const valueCoefs = legendreCoefficients(v);
  const vfCoefs = legendreCoefficients(vf);
  const massIntegral = antiderivative(fCoefs);
  const momentIntegral = antiderivative(vfCoefs);
  const mass = half * 2 * fCoefs[0]!;
  const moment = half * 2 * vfCoefs[0]!;
  // Resolved when the unresolved Legendre tails change the panel's mass by at most 1e-14 and its
  // first moment (also through the values) by at most 1e-14 scale: absolute tests, so that values
  // computed with cancellation far in a tail (1 - F(e) near 1e-9, say) are not chased.
  const width = b - a;
  const resolved =
    tailSize(fCoefs) * width <= RESOLVED &&
    tailSize(vfCoefs) * width <= RESOLVED * law.scale &&
    tailSize(valueCoefs) * fMax * width <= RESOLVED * law.scale;
  const panel: Panel = {
    a,
    b,
    mass,
    moment,
    va: legendreSeries(valueCoefs, -1),
    vb: legendreSeries(valueCoefs, 1),
    values: v,
    weights,
    valueCoefs,
    massIntegral,
    momentIntegral,
  };
  return { panel, resolved };
}

/** Splits each piece into panels on which density and value are resolved (bisection). */
function tabulateLaw(law: AtomicLaw): LawTable {
  const pieces: PieceTable[] = [];
  const ends: number[] = [];
  for (const piece of law.pieces) {
    if (!(piece.to > piece.from)) continue;
    const panels: Panel[] = [];
    const stack: [number, number][] = [[piece.from, piece.to]];
    while (stack.length > 0) {
      const [a, b] = stack.pop()!;
      const { panel, resolved } = makePanel(law, piece.value, a, b);
      const mid = 0.5 * (a + b);
      if (!resolved && panels.length + stack.length < MAX_PANELS && b - a > 1e-10 * (piece.to - piece.from) && mid > a && mid < b) {
        stack.push([mid, b], [a, mid]);
        continue;
      }
      panels.push(panel);
    }
    const cumMass = new Float64Array(panels.length + 1);
    const cumMoment = new Float64Array(panels.length + 1);
    for (let k = 0; k < panels.length; k++) {
      cumMass[k + 1] = cumMass[k]! + panels[k]!.mass;
      cumMoment[k + 1] = cumMoment[k]! + panels[k]!.moment;
    }
    const first = panels[0]!.va;
    const last = panels[panels.length - 1]!.vb;
    pieces.push({
      value: piece.value,
      panels,
      cumMass,
      cumMoment,
      increasing: last >= first,
      vMin: Math.min(first, last),
      vMax: Math.max(first, last),
    });
    for (const panel of panels) ends.push(panel.va);
    ends.push(last);
  }
  return { density: law.density, pieces, ends };
}

/** x in [-1, 1] where the panel's value series equals target (bracketed Newton; v is monotone). */
function solveValue(panel: Panel, target: number): number {
  let lo = -1;
  let hi = 1;
  let gLo = panel.va - target;
  const gHi = panel.vb - target;
  if (gLo === 0) return -1;
  if (gHi === 0) return 1;
  if (gLo > 0 === gHi > 0) return Math.abs(gLo) < Math.abs(gHi) ? -1 : 1;
  let x = -1 + (2 * gLo) / (gLo - gHi);
  for (let iter = 0; iter < 60; iter++) {
    const [g0, slope] = legendreSeriesWithSlope(panel.valueCoefs, x);
    const g = g0 - target;
    if (g === 0) return x;
    if (g > 0 === gLo > 0) {
      lo = x;
      gLo = g;
    } else hi = x;
    let next = x - g / slope;
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - x) <= 1e-15 || hi - lo <= 1e-15) return next;
    x = next;
  }
  return x;
}

/**
 * E[|z + cb W|; W off the atom] (cb != 0) in closed form: on each piece z + cb v(e) changes sign at
 * most once, and the partial mass and first moment up to that point come from the panel series.
 */
function meanAbsInner(table: LawTable, z: number, cb: number): number {
  const target = -z / cb;
  const sign = cb > 0 ? 1 : -1;
  let total = 0;
  for (const piece of table.pieces) {
    const n = piece.panels.length;
    const mass = piece.cumMass[n]!;
    const moment = piece.cumMoment[n]!;
    const whole = z * mass + cb * moment;
    if (target <= piece.vMin) {
      total += sign * whole;
      continue;
    }
    if (target >= piece.vMax) {
      total -= sign * whole;
      continue;
    }
    // First panel whose far end has passed the target (binary search; v is monotone).
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const end = piece.panels[mid]!.vb;
      if (piece.increasing ? end >= target : end <= target) hi = mid;
      else lo = mid + 1;
    }
    const panel = piece.panels[lo]!;
    const x = solveValue(panel, target);
    const half = 0.5 * (panel.b - panel.a);
    const massBelow = piece.cumMass[lo]! + half * legendreSeries(panel.massIntegral, x);
    const momentBelow = piece.cumMoment[lo]! + half * legendreSeries(panel.momentIntegral, x);
    // Below the root v < target when v increases, so z + cb v has the sign of -cb there.
    const signBelow = piece.increasing ? -sign : sign;
    total += signBelow * (z * massBelow + cb * momentBelow) - signBelow * (whole - z * massBelow - cb * momentBelow);
  }
  return total;
}

/**
 * E[|ca Wa + cb Wb|; Wa and Wb off the atom] for independent copies: the outer integral of the
 * closed-form inner one h(ca w), by the panels' Gauss-Legendre rule, with panels split where -ca v/cb
 * crosses a panel end (h'' is 2/|cb| times the density of W at -z/cb, so h is smooth in between).
 */
function meanAbsPair(table: LawTable, ca: number, cb: number): number {
  if (cb === 0) [ca, cb] = [cb, ca];
  if (cb === 0) return 0;
  const breaks = ca === 0 ? [] : table.ends.map((end) => (-cb * end) / ca);
  let total = 0;
  for (const piece of table.pieces) {
    for (const panel of piece.panels) {
      const lowV = Math.min(panel.va, panel.vb);
      const highV = Math.max(panel.va, panel.vb);
      const cuts = breaks.filter((v) => v > lowV && v < highV).map((v) => solveValue(panel, v));
      if (cuts.length === 0) {
        for (let j = 0; j < ORDER; j++) total += panel.weights[j]! * meanAbsInner(table, ca * panel.values[j]!, cb);
        continue;
      }
      const edges = [-1, ...cuts.sort((x, y) => x - y), 1];
      const half = 0.5 * (panel.b - panel.a);
      const center = 0.5 * (panel.a + panel.b);
      for (let k = 0; k + 1 < edges.length; k++) {
        const x0 = edges[k]!;
        const x1 = edges[k + 1]!;
        if (!(x1 > x0)) continue;
        const subHalf = 0.5 * (x1 - x0) * half;
        const subCenter = center + 0.5 * (x0 + x1) * half;
        for (let j = 0; j < ORDER; j++) {
          const e = subCenter + subHalf * GL_X[j]!;
          total += GL_W[j]! * subHalf * table.density(e) * meanAbsInner(table, ca * piece.value(e), cb);
        }
      }
    }
  }
  return total;
}

// ---------------------------------------------------------------------------------------------
// Characteristic function of W off the atom

interface NodeSet {
  values: Float64Array;
  weights: Float64Array;
}

/** s -> [Re C(s), Im C(s)], C(s) = E[e^{i s W}; W off the atom], with node sets cached per octave of |s|. */
function continuousCharacteristicFunction(
  table: LawTable,
  law: AtomicLaw,
  dropBudget: (level: number) => number,
): (s: number) => [number, number] {
  const cache = new Map<number, NodeSet>();
  return (s: number) => {
    const level = Math.max(0, Math.ceil(Math.log2(Math.abs(s) * law.scale + 1e-300)));
    let nodes = cache.get(level);
    if (!nodes) {
      nodes = buildNodes(table, 2 ** level / law.scale, dropBudget(level));
      cache.set(level, nodes);
    }
    return characteristicSum(nodes, s);
  };
}

interface Leaf {
  piece: PieceTable;
  panel: Panel;
  x0: number;
  x1: number;
  mass: number;
}

/**
 * Nodes for |s| <= maxFrequency: the law's panels, bisected until the phase changes by at most
 * MAX_PHASE_PER_PANEL across each; then the lightest of them, of total mass up to `budget`, are
 * left out (|error in C| <= the mass left out).
 */
function buildNodes(table: LawTable, maxFrequency: number, budget: number): NodeSet {
  const leaves: Leaf[] = [];
  for (const piece of table.pieces) {
    for (const panel of piece.panels) {
      if (maxFrequency * Math.abs(panel.vb - panel.va) <= MAX_PHASE_PER_PANEL) {
        leaves.push({ piece, panel, x0: -1, x1: 1, mass: panel.mass });
        continue;
      }
      const half = 0.5 * (panel.b - panel.a);
      const stack: [number, number, number, number][] = [[-1, 1, panel.va, panel.vb]];
      while (stack.length > 0) {
        const [x0, x1, v0, v1] = stack.pop()!;
        if (maxFrequency * Math.abs(v1 - v0) > MAX_PHASE_PER_PANEL && x1 - x0 > 1e-9) {
          const mid = 0.5 * (x0 + x1);
          const vMid = legendreSeries(panel.valueCoefs, mid);
          stack.push([mid, x1, vMid, v1], [x0, mid, v0, vMid]);
          continue;
        }
        const mass = Math.abs(half * (legendreSeries(panel.massIntegral, x1) - legendreSeries(panel.massIntegral, x0)));
        leaves.push({ piece, panel, x0, x1, mass });
      }
    }
  }
  let kept = leaves;
  if (budget > 0) {
    const byMass = [...leaves].sort((u, w) => u.mass - w.mass);
    let dropped = 0;
    let count = 0;
    while (count < byMass.length && dropped + byMass[count]!.mass <= budget) dropped += byMass[count++]!.mass;
    const drop = new Set(byMass.slice(0, count));
    kept = leaves.filter((leaf) => !drop.has(leaf));
  }
  const values = new Float64Array(kept.length * ORDER);
  const weights = new Float64Array(kept.length * ORDER);
  let k = 0;
  for (const { piece, panel, x0, x1 } of kept) {
    if (x0 === -1 && x1 === 1) {
      values.set(panel.values, k);
      weights.set(panel.weights, k);
      k += ORDER;
      continue;
    }
    const half = 0.25 * (x1 - x0) * (panel.b - panel.a);
    const center = 0.5 * (panel.a + panel.b) + 0.25 * (x0 + x1) * (panel.b - panel.a);
    for (let j = 0; j < ORDER; j++, k++) {
      const e = center + half * GL_X[j]!;
      values[k] = piece.value(e);
      weights[k] = GL_W[j]! * half * table.density(e);
    }
  }
  return { values, weights };
}

// sin and cos by reduction modulo pi/2 (pi/2 split into a 33-bit head and a tail, so q * head
// is exact for |q| < 2^20) and Taylor polynomials on [-pi/4, pi/4] (remainder below 1e-17):
// about 4x faster than Math.sin + Math.cos, which dominate the cost of the node sums.
const HALF_PI_HEAD = 1.5707963267341256;
const HALF_PI_TAIL = Math.PI / 2 - HALF_PI_HEAD + 6.123233995736766e-17;
const REDUCTION_LIMIT = 2 ** 19 * Math.PI; // |q| < 2^20
const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
const [S3, S5, S7, S9, S11, S13, S15, S17] = [3, 5, 7, 9, 11, 13, 15, 17].map((k, i) => (i % 2 === 0 ? -1 : 1) / factorial(k)) as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
const [K2, K4, K6, K8, K10, K12, K14, K16] = [2, 4, 6, 8, 10, 12, 14, 16].map((k, i) => (i % 2 === 0 ? -1 : 1) / factorial(k)) as [
  number,
  number,
  number,
  number,
  number,
  number,
  number,
  number,
];
// cos x = QC[q & 3] cos r + QS[q & 3] sin r and sin x = QC[q & 3] sin r - QS[q & 3] cos r for x = q pi/2 + r.
const QC = Float64Array.from([1, 0, -1, 0]);
const QS = Float64Array.from([0, -1, 0, 1]);

function characteristicSum({ values, weights }: NodeSet, s: number): [number, number] {
  let re = 0;
  let im = 0;
  for (let k = 0; k < values.length; k++) {
    const x = s * values[k]!;
    const w = weights[k]!;
    if (!(Math.abs(x) < REDUCTION_LIMIT)) {
      re += w * Math.cos(x);
      im += w * Math.sin(x);
      continue;
    }
    const q = Math.round(x * (2 / Math.PI));
    const r = x - q * HALF_PI_HEAD - q * HALF_PI_TAIL;
    const z = r * r;
    const sinR = r + r * z * (S3 + z * (S5 + z * (S7 + z * (S9 + z * (S11 + z * (S13 + z * (S15 + z * S17)))))));
    const cosR = 1 + z * (K2 + z * (K4 + z * (K6 + z * (K8 + z * (K10 + z * (K12 + z * (K14 + z * K16)))))));
    const quadrant = q & 3;
    const a = QC[quadrant]!;
    const b = QS[quadrant]!;
    re += w * (a * cosR + b * sinR);
    im += w * (a * sinR - b * cosR);
  }
  return [re, im];
}
