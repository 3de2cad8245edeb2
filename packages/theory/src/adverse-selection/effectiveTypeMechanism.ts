import { findRoot, findRootExpanding, gaussLegendreRule, integrate, kronrod21Nodes } from "@optex/numerics";
import type { Distribution } from "../laws/distribution.ts";
import { TheoryError } from "../theoryError.ts";
import { type FlatPiece, type IronedBranches, type IroningLaw, ironBranches } from "../basic/ironing.ts";
import { truncatedSupport } from "../basic/tradeVolume.ts";

/**
 * Theorem 3 for any laws of endowments F and signals G (independent, rho = 0), by numerical
 * convolution (docs/environments/adverse-selection.md, kappa kept). The effective type t = e/kappa - zeta has
 * density h(t) = int f(e) g(e/kappa - t) de, cdf H(t) = int f(e) (1 - G(e/kappa - t)) de, and
 * E[e | t] h(t) = int e f(e) g(e/kappa - t) de. Virtual type:
 *   v(t) = ehat(t) + alpha kappa H/h below tA, ehat(t) - alpha kappa (1-H)/h above tB, m between,
 * with m = E[v] (a one-dimensional root, as for Theorem 1). Per trader, with Xhat = -((N-1)/N)(v - m):
 *   holding = (E[e^2] + 2 E[ehat Xhat] + ((N-1)/N) Var v)/(2 kappa), C = E[(ehat/kappa - t)(v - m)],
 *   gain = E[G], G(t) = -int_{t*}^{t} Xhat, revenue = -E[t Xhat] + ((N-1)/N) C - E[X^2]/(2 kappa) - E[G],
 * where t* is a type of [tA, tB]; at alpha = 0, tA = tB = t* solves ehat(t*) = m (the least-gain
 * type, as eA = eB = m in Theorem 1). A branch that never reaches m inside the range kept (below)
 * pools that whole tail: tA (tB) is then the range's lower (upper) end. The Gaussian case reproduces
 * optimalAdverseSelection (tested).
 *
 * Method: h and ehat h are tabulated once, as piecewise Chebyshev interpolants on the t-range where
 * H is in [1e-15, 1 - 1e-15], with breakpoints where h has kinks (t = e_end/kappa - z_end for finite
 * support ends), each panel raised in degree or halved until its last coefficients are below 1e-13
 * of its largest value; H and 1 - H are their exact antiderivatives, accumulated from the lower and
 * the upper end respectively (so each stays accurate in its own tail). Root finding and the outer
 * integrals then use the tables (Gauss-Legendre, exact for the interpolants' polynomials). Against
 * an independent quadrature (scipy) the outputs agree to 2e-10 relative on uniform, normal and
 * exponential laws. Throws TheoryError when no m balances E[v] = m or when v falls on a branch
 * (the analogue of Conditions 1-2 fails; no ironing).
 */
export function effectiveTypeMechanism(p: {
  endowment: Distribution;
  signal: Distribution;
  kappa: number;
  traders: number;
  alpha: number;
}) {
  const { endowment: F, signal: G, kappa, traders: N, alpha } = p;
  if (!(alpha >= 0 && alpha <= 1)) throw new TheoryError(`alpha must be in [0, 1], got ${alpha}`);
  if (!(kappa > 0)) throw new TheoryError(`kappa must be > 0, got ${kappa}`);
  if (!(Number.isInteger(N) && N >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${N}`);
  const [eLo, eHi] = wideSupport(F);
  const [zLo, zHi] = wideSupport(G);
  const sdE = Math.sqrt(F.variance);
  const meanE = F.mean;
  const tMean = meanE / kappa - G.mean;
  const tSpread = Math.sqrt(F.variance / (kappa * kappa) + G.variance);
  const conv = convolver(F, G, kappa, eLo, eHi, zLo, zHi);
  // conv.survival(t) = 1 - H(t) = P(zeta < e/kappa - t), computed directly: accurate in the upper tail.
  const tMin = eLo / kappa - zHi;
  const tMax = eHi / kappa - zLo;
  // Work where H is in [1e-15, 1 - 1e-15]: beyond, h underflows and ratios like E[e | t] are noise;
  // the mass left out moves the results by about 1e-15 of their scale.
  const tLo =
    conv.cdf(tMin) >= 1e-15
      ? tMin
      : findRootExpanding((t) => Math.log(Math.max(conv.cdf(t), 1e-300)) - Math.log(1e-15), tMean, tSpread, tMin, tMean, {
          absoluteTolerance: 1e-6 * tSpread,
        });
  const tHi =
    conv.survival(tMax) >= 1e-15
      ? tMax
      : findRootExpanding((t) => Math.log(1e-15) - Math.log(Math.max(conv.survival(t), 1e-300)), tMean, tSpread, tMean, tMax, {
          absoluteTolerance: 1e-6 * tSpread,
        });
  // h is not smooth where a non-smooth point of f (an end or a kink) meets one of g.
  const kinks: number[] = [];
  for (const e of [F.lower, F.upper, ...(F.kinks ?? [])])
    for (const z of [G.lower, G.upper, ...(G.kinks ?? [])]) if (Number.isFinite(e) && Number.isFinite(z)) kinks.push(e / kappa - z);
  const table = tabulate(conv, tLo, tHi, kinks, tSpread, conv.cdf(tLo), conv.survival(tHi));
  const at = table.at;

  const ak = alpha * kappa;
  // Branches of Theorem 3 from the tables; where h has underflowed (only at a finite end of the
  // support of t) their limits: ehat -> eLo, H/h -> 0 at the bottom, ehat -> eHi, (1-H)/h -> 0 at the top.
  const lower = (t: number) => {
    const x = at(t);
    return x.h > 0 ? (x.eh + ak * x.H) / x.h : t < tMean ? eLo : Infinity;
  };
  const upper = (t: number) => {
    const x = at(t);
    return x.h > 0 ? (x.eh - ak * x.S) / x.h : t < tMean ? -Infinity : eHi;
  };
  // The branch crosses level m once (increasing branches); it may stay above (lower) or below
  // (upper) m throughout, and then the flat part reaches that end of the range.
  const solveBranch = (branch: (t: number) => number, level: number) => {
    if (branch(tLo) >= level) return tLo;
    if (branch(tHi) <= level) return tHi;
    return findRootExpanding((t) => branch(t) - level, tMean, tSpread, tLo, tHi, { absoluteTolerance: 1e-12 * tSpread });
  };
  // E[v_m] - m, with lower(t) h(t) = ehat h + alpha kappa H and upper(t) h(t) = ehat h - alpha kappa (1 - H).
  const excess = (m: number) => {
    const tA = solveBranch(lower, m);
    const tB = solveBranch(upper, m);
    const below = table.integralBelow(tA, ak);
    const above = table.integralAbove(tB, ak);
    return below + above - m * (at(tA).H + at(tB).S);
  };
  let m = alpha === 0 ? meanE : findRootExpanding(excess, meanE, sdE, -Infinity, Infinity, { absoluteTolerance: 1e-11 * sdE });
  // At alpha = 0 both branches are ehat and tA = tB is the type with ehat = m, where the utility
  // gain is least (as Theorem 1's eA = eB = m at alpha = 0); it is tMean only for symmetric laws.
  let tA = solveBranch(lower, m);
  let tB = alpha === 0 ? tA : solveBranch(upper, m);

  // Both branches must rise on the whole range (the analogue of Conditions 1-2: with a branch that
  // dips, the single crossings found above need not be the solution). Checked at the quadrature
  // nodes where h is above 1e-9 of its peak (beyond, the ratios carry interpolation noise). Where
  // one falls, v is ironed as Theorem 1's is (docs/ironing.md): in quantiles of t the virtual type
  // is E[e | t] + alpha kappa (u - Lambda(u))/h(t), the same problem with E[e | t] for e; when the
  // dip lies inside the binding region the ironing returns the unpooled solution.
  const slack = 1e-9 * (Math.abs(meanE) + sdE);
  let fallsAt: number | null = null;
  for (const below of [true, false]) {
    let previous = -Infinity;
    table.integrate(tLo, tHi, (t, x) => {
      if (fallsAt !== null || !(x.h > 1e-9 * table.hMax)) return;
      const vm = (below ? x.eh + ak * x.H - m * x.h : x.eh - ak * x.S - m * x.h) / x.h;
      if (vm < previous - slack) fallsAt = t;
      previous = vm;
    });
  }
  let pooled: readonly FlatPiece[] = [];
  let ironed: IronedBranches | null = null;
  if (fallsAt !== null) {
    const quantile = (u: number) => {
      if (!(u > 0)) return tLo;
      if (!(u < 1)) return tHi;
      const g = u <= 0.5 ? (t: number) => at(t).H - u : (t: number) => 1 - u - at(t).S;
      return findRoot(g, tLo, tHi, { absoluteTolerance: 1e-13 * tSpread });
    };
    const lawOfTypes: IroningLaw = {
      id: `effective type of ${F.id} and ${G.id}`,
      lower: tLo,
      upper: tHi,
      typeScale: tSpread,
      valueScale: sdE,
      value: (t) => {
        const x = at(t);
        return x.eh / x.h;
      },
      valueTimesPdf: (t) => at(t).eh,
      pdf: (t) => at(t).h,
      cdf: (t) => at(t).H,
      survival: (t) => at(t).S,
      quantile,
      cdfOverPdf: (t) => {
        const x = at(t);
        return x.H / x.h;
      },
      survivalOverPdf: (t) => {
        const x = at(t);
        return x.S / x.h;
      },
    };
    try {
      ironed = ironBranches(lawOfTypes, ak);
    } catch (error) {
      if (!(error instanceof TheoryError)) throw error;
      throw new TheoryError(
        `the virtual type falls near t = ${(fallsAt as number).toPrecision(4)} and its ironing does not balance: ${error.message}`,
      );
    }
    m = ironed.meanVirtualType;
    tA = ironed.bindingRegion.from;
    tB = ironed.bindingRegion.to;
    // A piece pooled at the level E[v] is where participation binds too (at alpha = 0 the
    // multiplier's bridge is a point, and the dip of E[e | t] is ironed at that level).
    const atMean = (p: FlatPiece) => Math.abs(p.level - m) <= 1e-9 * (Math.abs(m) + sdE);
    for (const p of ironed.pooled.filter(atMean)) {
      tA = Math.min(tA, p.from);
      tB = Math.max(tB, p.to);
    }
    pooled = ironed.pooled.filter((p) => !atMean(p));
  }

  // Expectations over t; v - m vanishes on [tA, tB]. (v - m) h is formed without dividing by h,
  // which is tiny far in the tails; a pooled piece at level L contributes (L - m) h. Each side is
  // integrated between the pieces' ends, where v has kinks.
  let EtV = 0; // E[(t - tMean)(v - m)]
  let EehV = 0; // E[(ehat - meanE)(v - m)]
  let EvV = 0; // E[(v - m)^2]
  let EG = 0; // E[int_{tA or tB}^{t} (v - m)], by parts: -int^{tA} (v - m) H + int_{tB} (v - m) (1 - H)
  for (const [a, b, below] of [
    [tLo, tA, true],
    [tB, tHi, false],
  ] as const) {
    const ends = [a, b, ...pooled.flatMap((p) => [p.from, p.to]).filter((t) => t > a && t < b)].sort((x, y) => x - y);
    for (let k = 0; k + 1 < ends.length; k++) {
      const piece = pooled.find((p) => p.from <= ends[k]! && ends[k + 1]! <= p.to);
      table.integrate(ends[k]!, ends[k + 1]!, (t, x, w) => {
        if (!(x.h > 0)) return; // h has underflowed: no weight
        const vmh = piece ? (piece.level - m) * x.h : below ? x.eh + ak * x.H - m * x.h : x.eh - ak * x.S - m * x.h;
        const vm = vmh / x.h;
        EtV += w * (t - tMean) * vmh;
        EehV += w * (x.eh / x.h - meanE) * vmh;
        EvV += w * vm * vmh;
        EG += w * (below ? -vm * x.H : vm * x.S);
      });
    }
  }
  const share = (N - 1) / N;
  const eTX = -share * EtV; // E[t Xhat] (E[Xhat] = 0)
  const eEX = -share * EehV; // E[ehat Xhat]
  const C = EehV / kappa - EtV; // E[(ehat/kappa - t)(v - m)]
  const secondX = share * EvV;
  const gain = share * EG;
  const revenue = -eTX + share * C - secondX / (2 * kappa) - gain;
  const holding = (F.variance + meanE * meanE + 2 * eEX + secondX) / (2 * kappa);

  // v outside the tabulated range (probability about 2e-15) by direct quadrature; where even that
  // underflows, the value at the nearer end of the table.
  const direct = (t: number) => {
    const Qin = { absTol: 1e-300, relTol: 1e-10, maxSubdivisions: 2000 };
    const [a, b] = [Math.max(eLo, kappa * (t + zLo)), Math.min(eHi, kappa * (t + zHi))];
    const h = a < b ? integrate((e) => F.pdf(e) * G.pdf(e / kappa - t), a, b, Qin).value : 0;
    if (!(h > 0)) return t < tLo ? v(tLo) : v(tHi);
    const eh = integrate((e) => e * F.pdf(e) * G.pdf(e / kappa - t), a, b, Qin).value;
    if (t < tA) return (eh + ak * conv.cdf(t)) / h;
    if (t > tB) return (eh - ak * conv.survival(t)) / h;
    return m;
  };
  const ironedV = ironed?.v;
  const v = (t: number): number => {
    if (!(t >= tLo && t <= tHi)) return direct(t);
    if (ironedV) return t >= tA && t <= tB ? m : ironedV(t);
    return t < tA ? lower(t) : t > tB ? upper(t) : m;
  };
  // What Proposition 5's fee needs of the law of t, read off the same tables.
  let pooledSignal = 0; // int_{tA}^{tB} E[zeta | t] h(t) dt
  table.integrate(tA, tB, (t, x, w) => {
    pooledSignal += w * (x.eh / kappa - t * x.h);
  });
  const pooledMass = Math.max(0, 1 - at(tA).H - at(tB).S);
  const lawOfT: EffectiveTypeLaw = {
    lower: tLo,
    upper: tHi,
    density: (t) => at(t).h,
    cdf: (t) => at(t).H,
    survival: (t) => at(t).S,
    signalMean: (t) => {
      const x = at(t);
      return x.eh / (kappa * x.h) - t;
    },
    virtualTypeSlope: (t) => {
      const { h, dh, deh } = table.slopesAt(t);
      return (deh + ak * h - v(t) * dh) / h;
    },
    pooledMass,
    pooledSignalMean: pooledMass > 0 ? pooledSignal / pooledMass : 0,
    signalIntegral: (a, b) => {
      let sum = 0;
      table.integrate(Math.max(a, tLo), Math.min(b, tHi), (t, x, w) => {
        sum += w * (x.eh / kappa - t * x.h);
      });
      return sum;
    },
    kinks: [...new Set(kinks)].filter((t) => t > tLo && t < tHi).sort((a, b) => a - b),
  };
  return {
    tA,
    tB,
    /** Types pooled by ironing besides the binding region (participation slack there); empty when v rises on both branches. */
    pooled,
    /** Null when no ironing was needed; else whether the pieces were refined from the grid to the exact conditions. */
    ironingRefined: ironed === null ? null : ironed.refined,
    meanVirtualType: m,
    varianceVirtualType: EvV,
    v,
    revenuePerTrader: revenue,
    holdingCostPerTrader: holding,
    utilityGainPerTrader: gain,
    lawOfT,
  };
}

/** The law of the effective type t = e/kappa - zeta on its tabulated range, as Proposition 5's fee for any laws needs it. */
export interface EffectiveTypeLaw {
  /** The range tabulated: H(lower) and 1 - H(upper) are about 1e-15 (or the support's ends). */
  readonly lower: number;
  readonly upper: number;
  /** h(t), H(t) and 1 - H(t) (accurate in the upper tail), on [lower, upper]. */
  density(t: number): number;
  cdf(t: number): number;
  survival(t: number): number;
  /** E[zeta | t] = E[e | t]/kappa - t. */
  signalMean(t: number): number;
  /** v'(t) off [tA, tB] (one-sided at tA and tB), from the tables' derivatives. */
  virtualTypeSlope(t: number): number;
  /** P(tA <= t <= tB): the atom of v(t) at its mean. */
  readonly pooledMass: number;
  /** E[zeta | tA <= t <= tB] (0 when nothing is pooled). */
  readonly pooledSignalMean: number;
  /** int_a^b E[zeta | t] h(t) dt (a pooled piece's signal, times its mass). */
  signalIntegral(a: number, b: number): number;
  /** Points of (lower, upper) where h is not smooth (a law's end or kink meeting one of the other's), where h' may jump. */
  readonly kinks: readonly number[];
}

/** Values of the tables at one t: h, ehat h, H and S = 1 - H. */
interface TableValues {
  h: number;
  eh: number;
  H: number;
  S: number;
}

interface Convolver {
  /** Writes h(t), ehat(t) h(t) and int |e| f g (the scale of ehat h) into out[0..2]. */
  density(t: number, out: Float64Array): void;
  /** H(t), accurate in the lower tail. */
  cdf(t: number): number;
  /** 1 - H(t), accurate in the upper tail. */
  survival(t: number): number;
}

/**
 * The support with an infinite end cut where the density times the sd falls below 1e-34. Cutting
 * at the 2^-53 quantiles (truncatedSupport) is not enough here: near the ends of the t-range, where
 * H or 1 - H is 1e-15, the signal or endowment sits about that far out, and the cut would bias h and
 * 1 - H there by up to 1%, and a far-tail tA or tB with them.
 */
function wideSupport(dist: Distribution): [number, number] {
  const [lo, hi] = truncatedSupport(dist);
  const sd = Math.sqrt(dist.variance);
  let a = lo;
  let b = hi;
  if (!Number.isFinite(dist.lower)) for (let k = 0; k < 64 && dist.pdf(a) * sd > 1e-34; k++) a -= sd;
  if (!Number.isFinite(dist.upper)) for (let k = 0; k < 64 && dist.pdf(b) * sd > 1e-34; k++) b += sd;
  return [a, b];
}

let kronrodRule: { nodes: number[]; weights: number[]; gaussWeights: number[] } | undefined;
/** The 21-point Kronrod rule on [-1, 1] with the weights of its embedded 10-point Gauss rule (0 off it). */
function kronrod() {
  if (!kronrodRule) {
    const { nodes, weights } = kronrod21Nodes(-1, 1);
    const gauss = gaussLegendreRule(10);
    const gaussWeights = nodes.map((x) => {
      const k = gauss.nodes.findIndex((y) => Math.abs(x - y) < 1e-12);
      return k < 0 ? 0 : gauss.weights[k]!;
    });
    kronrodRule = { nodes, weights, gaussWeights };
  }
  return kronrodRule;
}
/** Inner quadrature target: |Kronrod - Gauss| summed below this fraction of the scale (the Kronrod
 * value itself is then accurate to near rounding for these smooth integrands). */
const INNER_TOL = 1e-11;
const MAX_INNER_PANELS = 400;

/**
 * The inner integrals for fixed t, by globally adaptive 21-point Gauss-Kronrod on all components at
 * once, starting from panels three widths of the narrower law wide, split at the support ends and at the
 * laws' declared kinks (Distribution.kinks: Laplace's centre, a mixture's components' ends). When one law's density is smooth on
 * the whole line (no finite end), the other variable gets a fixed grid of panels over its support,
 * its density is evaluated once per grid node and reused for every t (halving the density calls),
 * and only the grid panels where the smooth density is not negligible are summed. Otherwise the
 * range where both densities can be positive is split afresh for each t.
 */
function convolver(F: Distribution, G: Distribution, kappa: number, eLo: number, eHi: number, zLo: number, zHi: number): Convolver {
  const sdF = Math.sqrt(F.variance);
  const sdG = Math.sqrt(G.variance);
  const width = Math.min(sdF, kappa * sdG); // in e
  const zMedian = G.quantile(0.5);
  const { nodes: kNodes, weights: kWeights, gaussWeights } = kronrod();
  const nk = kNodes.length;
  // Grid over e (f cached) needs g smooth on the line; over z (g cached), f smooth. With both smooth
  // the narrower law gets the grid (fewer nodes to fill).
  // A kink of f sits at a fixed e, one of g at e = kappa (t + z_k): the panels split there (per t),
  // and the cached grids, whose panels cannot follow them, are not used.
  const fKinks = (F.kinks ?? []).filter(Number.isFinite);
  const gKinks = (G.kinks ?? []).filter(Number.isFinite);
  const kinked = fKinks.length + gKinks.length > 0;
  const smoothF = F.lower === -Infinity && F.upper === Infinity && !kinked;
  const smoothG = G.lower === -Infinity && G.upper === Infinity && !kinked;
  const gridOverE = smoothG && (!smoothF || sdF <= kappa * sdG);
  const gridOverZ = !gridOverE && smoothF;
  const [uLo, uHi] = gridOverE ? [eLo, eHi] : [zLo, zHi];
  const gridPanels = gridOverE || gridOverZ ? Math.ceil((uHi - uLo) / (3 * (gridOverE ? width : width / kappa))) : 0;
  const useGrid = gridPanels > 0 && gridPanels <= 20_000;
  const gridStep = (uHi - uLo) / gridPanels;
  const gridLeft = (p: number) => uLo + p * gridStep;
  const gridRight = (p: number) => (p + 1 === gridPanels ? uHi : uLo + (p + 1) * gridStep);
  const fixedPdf = gridOverE ? F.pdf : G.pdf;
  const cache = useGrid ? new Float64Array(gridPanels * nk).fill(Number.NaN) : new Float64Array(0);

  // Panel store: ends, grid index (-1 off the grid), values and error estimates of up to 3 components.
  let pa = new Float64Array(64);
  let pb = new Float64Array(64);
  let pg = new Int32Array(64);
  let pv = new Float64Array(192);
  let pe = new Float64Array(192);
  const grow = (size: number) => {
    if (size <= pa.length) return;
    const n = 2 * size;
    const [na, nb, ng, nv, ne] = [
      new Float64Array(n),
      new Float64Array(n),
      new Int32Array(n),
      new Float64Array(3 * n),
      new Float64Array(3 * n),
    ];
    na.set(pa);
    nb.set(pb);
    ng.set(pg);
    nv.set(pv);
    ne.set(pe);
    [pa, pb, pg, pv, pe] = [na, nb, ng, nv, ne];
  };
  // One Kronrod/Gauss pair on panel k. mode 0: [h, ehat h, int |e| f g] (over e, or over z with
  // e = kappa (t + z) and de = kappa dz on the grid over z); mode 1: f (1 - G); mode 2: f G, over e.
  const rule = (mode: number, t: number, k: number) => {
    const a = pa[k]!;
    const b = pb[k]!;
    const p = pg[k]!;
    const c = 0.5 * (a + b);
    const half = 0.5 * (b - a);
    let k0 = 0,
      k1 = 0,
      k2 = 0,
      g0 = 0,
      g1 = 0;
    for (let j = 0; j < nk; j++) {
      const u = c + half * kNodes[j]!;
      let w: number;
      let e = u;
      if (mode === 0 && useGrid) {
        let fixed = p >= 0 ? cache[p * nk + j]! : fixedPdf(u);
        if (Number.isNaN(fixed)) cache[p * nk + j] = fixed = fixedPdf(u);
        if (gridOverE) w = fixed === 0 ? 0 : fixed * G.pdf(u / kappa - t);
        else {
          e = kappa * (t + u);
          w = fixed === 0 ? 0 : kappa * fixed * F.pdf(e);
        }
      } else {
        const fe = F.pdf(u);
        const z = u / kappa - t;
        if (fe === 0) w = 0;
        else if (mode === 0) w = fe * G.pdf(z);
        else if (mode === 1) w = fe * (z < zMedian ? 1 - G.cdf(z) : G.survival(z));
        else w = fe * (z < zMedian ? G.cdf(z) : 1 - G.survival(z));
      }
      const wk = kWeights[j]!;
      const wg = gaussWeights[j]!;
      k0 += wk * w;
      g0 += wg * w;
      if (mode === 0) {
        k1 += wk * e * w;
        g1 += wg * e * w;
        k2 += wk * Math.abs(e) * w;
      }
    }
    pv[3 * k] = k0 * half;
    pv[3 * k + 1] = k1 * half;
    pv[3 * k + 2] = k2 * half;
    pe[3 * k] = Math.abs(k0 - g0) * half;
    pe[3 * k + 1] = Math.abs(k1 - g1) * half;
  };
  // Refines the `count` panels set up until |Kronrod - Gauss| is below INNER_TOL of h (and of
  // int |e| f g for ehat h, which may cross 0); writes the totals into out.
  const refine = (mode: number, t: number, count: number, out: Float64Array) => {
    for (let k = 0; k < count; k++) rule(mode, t, k);
    for (;;) {
      let v0 = 0,
        v1 = 0,
        v2 = 0,
        e0 = 0,
        e1 = 0;
      for (let k = 0; k < count; k++) {
        v0 += pv[3 * k]!;
        v1 += pv[3 * k + 1]!;
        v2 += pv[3 * k + 2]!;
        e0 += pe[3 * k]!;
        e1 += pe[3 * k + 1]!;
      }
      out[0] = v0;
      out[1] = v1;
      out[2] = v2;
      const s0 = INNER_TOL * v0;
      const s1 = INNER_TOL * v2;
      if ((e0 <= s0 && (mode !== 0 || e1 <= s1)) || count >= MAX_INNER_PANELS) return;
      let worst = 0;
      let worstError = -1;
      for (let k = 0; k < count; k++) {
        const r = pe[3 * k]! / s0 + (mode === 0 ? pe[3 * k + 1]! / s1 : 0);
        if (r > worstError) {
          worstError = r;
          worst = k;
        }
      }
      const lo = pa[worst]!;
      const hi = pb[worst]!;
      const mid = 0.5 * (lo + hi);
      if (!(mid > lo && mid < hi)) return;
      grow(count + 1);
      pb[worst] = mid;
      pg[worst] = -1;
      rule(mode, t, worst);
      pa[count] = mid;
      pb[count] = hi;
      pg[count] = -1;
      rule(mode, t, count);
      count++;
    }
  };
  // [a, b] (in e) for this t alone: split at the kinks inside, each piece evenly.
  const cuts: number[] = [];
  const overRange = (mode: number, t: number, a: number, b: number, out: Float64Array) => {
    cuts.length = 0;
    cuts.push(a);
    if (kinked) {
      for (const e of fKinks) if (e > a && e < b) cuts.push(e);
      for (const z of gKinks) {
        const e = kappa * (t + z);
        if (e > a && e < b) cuts.push(e);
      }
      cuts.sort((x, y) => x - y);
    }
    cuts.push(b);
    let count = 0;
    for (let c = 0; c + 1 < cuts.length; c++) {
      const [lo, hi] = [cuts[c]!, cuts[c + 1]!];
      if (!(hi > lo)) continue;
      const pieces = Math.min(32, Math.max(1, Math.ceil((hi - lo) / (3 * width))));
      grow(count + pieces);
      for (let k = 0; k < pieces; k++) {
        pa[count] = lo + ((hi - lo) * k) / pieces;
        pb[count] = k + 1 === pieces ? hi : lo + ((hi - lo) * (k + 1)) / pieces;
        pg[count] = -1;
        count++;
      }
    }
    refine(mode, t, count, out);
  };
  const one = new Float64Array(3);
  return {
    density(t, out) {
      const a = Math.max(eLo, kappa * (t + zLo));
      const b = Math.min(eHi, kappa * (t + zHi));
      if (!(a < b)) {
        out.fill(0);
        return;
      }
      if (!useGrid) {
        overRange(0, t, a, b, out);
        return;
      }
      // The grid panels meeting the range (in u) where both densities can be positive.
      const [lo, hi] = gridOverE ? [a, b] : [a / kappa - t, b / kappa - t];
      const p0 = Math.max(0, Math.min(gridPanels - 1, Math.floor((lo - uLo) / gridStep)));
      const p1 = Math.max(p0, Math.min(gridPanels - 1, Math.floor((hi - uLo) / gridStep)));
      grow(p1 - p0 + 1);
      for (let p = p0; p <= p1; p++) {
        pa[p - p0] = gridLeft(p);
        pb[p - p0] = gridRight(p);
        pg[p - p0] = p;
      }
      refine(0, t, p1 - p0 + 1, out);
    },
    // H(t) = F(a) + int_a^b f (1 - G) de: below a the signal surely exceeds e/kappa - t, above b it cannot.
    cdf(t) {
      const a = Math.max(eLo, kappa * (t + zLo));
      const b = Math.min(eHi, kappa * (t + zHi));
      const head = a > eLo ? F.cdf(a) : 0;
      if (!(a < b)) return a >= eHi ? 1 : head;
      overRange(1, t, a, b, one);
      return head + one[0]!;
    },
    survival(t) {
      const a = Math.max(eLo, kappa * (t + zLo));
      const b = Math.min(eHi, kappa * (t + zHi));
      const tail = b < eHi ? F.survival(b) : 0;
      if (!(a < b)) return b <= eLo ? 1 : tail;
      overRange(2, t, a, b, one);
      return tail + one[0]!;
    },
  };
}

/** Chebyshev degrees tried on a panel before it is split (nested: each reuses the last's values). */
const DEGREES = [16, 32, 64];
/** Coefficient tail accepted, relative to the panel's largest value (the inner integrals are good to ~1e-15). */
const TABLE_TOL = 1e-13;

interface Panel {
  a: number;
  b: number;
  /** Chebyshev coefficients on [a, b] of h, ehat h and of H - H(a) = int_a^t h. */
  h: Float64Array;
  eh: Float64Array;
  cum: Float64Array;
  /** int_a^b h. */
  mass: number;
  /** H(a) and 1 - H(b), accumulated from the nearer end of the range. */
  Hleft: number;
  Sright: number;
  /** Gauss-Legendre points used for integrals over (parts of) the panel. */
  points: number;
  /** int_a^b of ehat h, H and S. */
  intEh: number;
  intH: number;
  intS: number;
}

/**
 * Piecewise Chebyshev tables of h and ehat h on [tLo, tHi], and H, S = 1 - H from their
 * antiderivatives (H(tLo) = H0 and S(tHi) = S1 given). Panels start at the kinks and at most
 * 3 tSpread wide; each takes Chebyshev degree 16, 32 or 64 (nested points) or is halved.
 */
function tabulate(conv: Convolver, tLo: number, tHi: number, kinks: number[], tSpread: number, H0: number, S1: number) {
  const ends = [tLo, ...kinks.filter((t) => t > tLo && t < tHi).sort((x, y) => x - y), tHi];
  const minWidth = 1e-9 * (tHi - tLo);
  const stack: [number, number][] = [];
  for (let k = ends.length - 2; k >= 0; k--) {
    const [a, b] = [ends[k]!, ends[k + 1]!];
    if (!(b > a)) continue;
    const pieces = Math.ceil((b - a) / (3 * tSpread));
    for (let j = pieces - 1; j >= 0; j--) stack.push([a + ((b - a) * j) / pieces, j + 1 === pieces ? b : a + ((b - a) * (j + 1)) / pieces]);
  }
  const panels: Panel[] = [];
  let hMax = 0;
  const point = new Float64Array(3);
  const nMax = DEGREES[DEGREES.length - 1]!;
  const hv = new Float64Array(nMax + 1);
  const ehv = new Float64Array(nMax + 1);
  const absv = new Float64Array(nMax + 1);
  while (stack.length > 0) {
    const [a, b] = stack.pop()!;
    const c = 0.5 * (a + b);
    const half = 0.5 * (b - a);
    let accepted: { n: number; h: Float64Array; eh: Float64Array; hScale: number } | undefined;
    let filled = 0; // degree whose points hold values (stored at stride nMax/n)
    for (const n of DEGREES) {
      const stride = nMax / n;
      for (let j = 0; j <= n; j++) {
        if (filled > 0 && (j * stride) % (nMax / filled) === 0) continue;
        conv.density(c + half * chebPoint(n, j), point);
        hv[j * stride] = point[0]!;
        ehv[j * stride] = point[1]!;
        absv[j * stride] = point[2]!;
      }
      filled = n;
      const hvals = new Float64Array(n + 1);
      const ehvals = new Float64Array(n + 1);
      let hScale = 0;
      let ehScale = 0;
      for (let j = 0; j <= n; j++) {
        hvals[j] = hv[j * stride]!;
        ehvals[j] = ehv[j * stride]!;
        hScale = Math.max(hScale, Math.abs(hvals[j]!));
        ehScale = Math.max(ehScale, absv[j * stride]!);
      }
      const ch = chebCoefficients(hvals);
      const ceh = chebCoefficients(ehvals);
      if ((tail(ch) <= TABLE_TOL * hScale && tail(ceh) <= TABLE_TOL * ehScale) || (n === nMax && b - a < minWidth)) {
        accepted = { n, h: ch, eh: ceh, hScale };
        break;
      }
    }
    if (accepted) {
      hMax = Math.max(hMax, accepted.hScale);
      const cum = chebAntiderivative(accepted.h, half);
      panels.push({
        a,
        b,
        h: accepted.h,
        eh: accepted.eh,
        cum,
        mass: clenshaw(cum, 1),
        Hleft: 0,
        Sright: 0,
        points: accepted.n + 2,
        intEh: 0,
        intH: 0,
        intS: 0,
      });
    } else {
      stack.push([c, b], [a, c]);
    }
  }
  // H accumulated from the left, S from the right.
  let H = H0;
  for (const panel of panels) {
    panel.Hleft = H;
    H += panel.mass;
  }
  let S = S1;
  for (let k = panels.length - 1; k >= 0; k--) {
    panels[k]!.Sright = S;
    S += panels[k]!.mass;
  }
  const values: TableValues = { h: 0, eh: 0, H: 0, S: 0 };
  const valuesIn = (panel: Panel, t: number): TableValues => {
    const x = Math.min(1, Math.max(-1, (2 * t - panel.a - panel.b) / (panel.b - panel.a)));
    const cum = clenshaw(panel.cum, x);
    values.h = clenshaw(panel.h, x);
    values.eh = clenshaw(panel.eh, x);
    values.H = panel.Hleft + cum;
    values.S = panel.Sright + (panel.mass - cum);
    return values;
  };
  const find = (t: number) => {
    let lo = 0;
    let hi = panels.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (panels[mid]!.a <= t) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const at = (t: number) => valuesIn(panels[find(t)]!, t);
  // h' and (ehat h)', from the Chebyshev derivatives (built on first use, per panel).
  const derivatives = new Map<Panel, { h: Float64Array; eh: Float64Array }>();
  const slopes = { h: 0, dh: 0, deh: 0 };
  const slopesAt = (t: number) => {
    const panel = panels[find(t)]!;
    let d = derivatives.get(panel);
    if (!d) {
      const half = 0.5 * (panel.b - panel.a);
      d = { h: chebDerivative(panel.h, half), eh: chebDerivative(panel.eh, half) };
      derivatives.set(panel, d);
    }
    const x = Math.min(1, Math.max(-1, (2 * t - panel.a - panel.b) / (panel.b - panel.a)));
    slopes.h = clenshaw(panel.h, x);
    slopes.dh = clenshaw(d.h, x);
    slopes.deh = clenshaw(d.eh, x);
    return slopes;
  };
  // Gauss-Legendre sum of g over [a, b] within one panel (g receives t, the table values and the weight).
  const panelSum = (panel: Panel, a: number, b: number, g: (t: number, x: TableValues, w: number) => void) => {
    const rule = gaussLegendreRule(panel.points);
    const c = 0.5 * (a + b);
    const half = 0.5 * (b - a);
    for (let j = 0; j < rule.nodes.length; j++) {
      const t = c + half * rule.nodes[j]!;
      g(t, valuesIn(panel, t), half * rule.weights[j]!);
    }
  };
  for (const panel of panels) {
    panelSum(panel, panel.a, panel.b, (_t, x, w) => {
      panel.intEh += w * x.eh;
      panel.intH += w * x.H;
      panel.intS += w * x.S;
    });
  }
  const prefixEh = [0];
  const prefixH = [0];
  for (const panel of panels) {
    prefixEh.push(prefixEh[prefixEh.length - 1]! + panel.intEh);
    prefixH.push(prefixH[prefixH.length - 1]! + panel.intH);
  }
  const suffixEh = new Array<number>(panels.length + 1).fill(0);
  const suffixS = new Array<number>(panels.length + 1).fill(0);
  for (let k = panels.length - 1; k >= 0; k--) {
    suffixEh[k] = suffixEh[k + 1]! + panels[k]!.intEh;
    suffixS[k] = suffixS[k + 1]! + panels[k]!.intS;
  }
  return {
    at,
    /** h, h' and (ehat h)' at t (a shared object, overwritten by the next call). */
    slopesAt,
    /** Largest h at the table's points. */
    hMax,
    /** int_{tLo}^{t} (ehat h + c H). */
    integralBelow(t: number, c: number) {
      const k = find(t);
      const panel = panels[k]!;
      let part = 0;
      panelSum(panel, panel.a, Math.min(t, panel.b), (_t, x, w) => {
        part += w * (x.eh + c * x.H);
      });
      return prefixEh[k]! + c * prefixH[k]! + part;
    },
    /** int_{t}^{tHi} (ehat h - c S). */
    integralAbove(t: number, c: number) {
      const k = find(t);
      const panel = panels[k]!;
      let part = 0;
      panelSum(panel, Math.max(t, panel.a), panel.b, (_t, x, w) => {
        part += w * (x.eh - c * x.S);
      });
      return suffixEh[k + 1]! - c * suffixS[k + 1]! + part;
    },
    /** Calls g(t, values, weight) at Gauss-Legendre nodes in increasing t, so that sum w g = int_a^b g. */
    integrate(a: number, b: number, g: (t: number, x: TableValues, w: number) => void) {
      if (!(b > a)) return;
      for (let k = find(a); k < panels.length && panels[k]!.a < b; k++) {
        const panel = panels[k]!;
        const lo = Math.max(a, panel.a);
        const hi = Math.min(b, panel.b);
        if (hi > lo) panelSum(panel, lo, hi, g);
      }
    },
  };
}

/** Larger of the last two Chebyshev coefficients (two, so even or odd functions are judged fairly). */
function tail(c: Float64Array): number {
  const n = c.length - 1;
  return Math.max(Math.abs(c[n]!), Math.abs(c[n - 1]!));
}

/** The Chebyshev points of the second kind x_j = cos(pi j / n), j = 0..n, in symmetric form. */
function chebPoint(n: number, j: number): number {
  return Math.sin((Math.PI * (n - 2 * j)) / (2 * n));
}

const cosTables = new Map<number, Float64Array>();
/** Coefficients c_k of the interpolant sum c_k T_k(x) through values at chebPoint(n, j). */
function chebCoefficients(values: Float64Array): Float64Array {
  const n = values.length - 1;
  let cos = cosTables.get(n);
  if (!cos) {
    cos = new Float64Array(2 * n);
    for (let m = 0; m < 2 * n; m++) cos[m] = Math.cos((Math.PI * m) / n);
    cosTables.set(n, cos);
  }
  const c = new Float64Array(n + 1);
  for (let k = 0; k <= n; k++) {
    let s = 0.5 * (values[0]! + (k % 2 === 0 ? values[n]! : -values[n]!));
    for (let j = 1; j < n; j++) s += values[j]! * cos[(j * k) % (2 * n)]!;
    c[k] = ((k === 0 || k === n ? 1 : 2) * s) / n;
  }
  return c;
}

/** Clenshaw's recurrence for sum c_k T_k(x). */
function clenshaw(c: Float64Array, x: number): number {
  let b1 = 0;
  let b2 = 0;
  const x2 = 2 * x;
  for (let k = c.length - 1; k >= 1; k--) {
    const b0 = c[k]! + x2 * b1 - b2;
    b2 = b1;
    b1 = b0;
  }
  return c[0]! + x * b1 - b2;
}

/** Coefficients of d/dt sum c_k T_k(x) with t = centre + half x: the recurrence c'_{k-1} = c'_{k+1} + 2k c_k, divided by half. */
function chebDerivative(c: Float64Array, half: number): Float64Array {
  const n = c.length - 1;
  const out = new Float64Array(Math.max(1, n));
  let next = 0; // c'_{k+1}
  let current = 0; // c'_k
  for (let k = n; k >= 1; k--) {
    const previous = next + 2 * k * c[k]!; // c'_{k-1}
    next = current;
    current = previous;
    if (k - 1 < out.length) out[k - 1] = previous;
  }
  out[0] = out[0]! / 2;
  for (let k = 0; k < out.length; k++) out[k] = out[k]! / half;
  return out;
}

/** Coefficients of int_{-1}^{x} sum c_k T_k, times `scale` (dt/dx), one degree higher. */
function chebAntiderivative(c: Float64Array, scale: number): Float64Array {
  const n = c.length - 1;
  const coef = (k: number) => (k <= n ? c[k]! : 0);
  const out = new Float64Array(n + 2);
  // int T_0 = T_1, int T_1 = T_2 / 4, int T_k = T_{k+1} / (2(k+1)) - T_{k-1} / (2(k-1)).
  for (let k = 1; k <= n + 1; k++) out[k] = (scale * ((k === 1 ? 2 : 1) * coef(k - 1) - coef(k + 1))) / (2 * k);
  let atMinusOne = 0;
  for (let k = 1; k <= n + 1; k++) atMinusOne += k % 2 === 0 ? out[k]! : -out[k]!;
  out[0] = -atMinusOne;
  return out;
}
