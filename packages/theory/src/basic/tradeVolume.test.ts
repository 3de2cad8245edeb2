import { integrate } from "@optex/numerics";
import { describe, expect, test } from "vitest";
import { basicEnvironment } from "./basicEnvironment.ts";
import { customDistribution } from "../laws/customDistribution.ts";
import type { Distribution } from "../laws/distribution.ts";
import { doubleAuctionOutcome, symmetricLinearEquilibrium } from "./doubleAuction.ts";
import { exponential } from "../laws/exponential.ts";
import { normal } from "../laws/normal.ts";
import { optimalMechanismOutcome } from "./optimalMechanism.ts";
import { type AtomicLaw, expectedAbsoluteCombination, truncatedSupport } from "./tradeVolume.ts";
import { uniform } from "../laws/uniform.ts";
import { solveVirtualType } from "./virtualType.ts";

// Every check uses the function's stated accuracy: absolute error 1e-7 x sd of the combination.
const statedTolerance = (law: AtomicLaw, c0: number, c1: number, n1: number) => 1e-7 * Math.sqrt(c0 * c0 + n1 * c1 * c1) * law.scale;

// ---- exact rational E|b0 W0 + b1 (W1 + ... + Wn1)| when W is an atom at 0 or uniform on integer intervals ----

interface Fraction {
  n: bigint;
  d: bigint;
}
const gcd = (a: bigint, b: bigint): bigint => {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b) [a, b] = [b, a % b];
  return a;
};
const reduce = ({ n, d }: Fraction): Fraction => {
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const add = (x: Fraction, y: Fraction) => reduce({ n: x.n * y.d + y.n * x.d, d: x.d * y.d });
const times = (x: Fraction, y: Fraction) => reduce({ n: x.n * y.n, d: x.d * y.d });
const factorial = (k: number): bigint => (k <= 1 ? 1n : BigInt(k) * factorial(k - 1));
const binomial = (n: number, k: number) => factorial(n) / (factorial(k) * factorial(n - k));
const toNumber = (f: Fraction) => Number((f.n * 10n ** 30n) / f.d) / 1e30;

interface UniformPart {
  mass: Fraction;
  lo: bigint;
  hi: bigint;
}

/**
 * For V_j uniform on [l_j, u_j] (j = 1..k), E|sum V_j| = sum over the 2^k corner sums s of
 * (-1)^(#lower ends) |s| s^k / ((k+1)! prod (u_j - l_j)): |x| x^k / (k+1)! is the k-th
 * antiderivative of |x|, and each uniform average is a difference of antiderivatives.
 * The law of Y is the mixture over which W_j sit on the atom or on which uniform part.
 */
function exactMeanAbsFraction(atom: Fraction, parts: UniformPart[], b0: bigint, b1: bigint, n1: number): Fraction {
  const compositions = (n: number, k: number): number[][] =>
    k === 1 ? [[n]] : Array.from({ length: n + 1 }, (_, first) => compositions(n - first, k - 1).map((rest) => [first, ...rest])).flat();
  const massOf = (state: number) => (state === 0 ? atom : parts[state - 1]!.mass);
  const scaled = (part: UniformPart, b: bigint) => (b > 0n ? { lo: b * part.lo, hi: b * part.hi } : { lo: b * part.hi, hi: b * part.lo });
  let total: Fraction = { n: 0n, d: 1n };
  for (let first = 0; first <= parts.length; first++) {
    for (const counts of compositions(n1, parts.length + 1)) {
      let probability = times(massOf(first), { n: counts.reduce((acc, c) => acc / factorial(c), factorial(n1)), d: 1n });
      counts.forEach((c, state) => {
        for (let r = 0; r < c; r++) probability = times(probability, massOf(state));
      });
      const groups: { lo: bigint; hi: bigint; count: number }[] = [];
      if (first > 0 && b0 !== 0n) groups.push({ ...scaled(parts[first - 1]!, b0), count: 1 });
      parts.forEach((part, i) => {
        if (counts[i + 1]! > 0 && b1 !== 0n) groups.push({ ...scaled(part, b1), count: counts[i + 1]! });
      });
      const k = groups.reduce((acc, g) => acc + g.count, 0);
      if (k === 0) continue; // Y = 0
      let width = 1n;
      for (const g of groups) width *= (g.hi - g.lo) ** BigInt(g.count);
      let numerator = 0n;
      const corners = (gi: number, sum: bigint, sign: bigint) => {
        if (gi === groups.length) {
          numerator += sign * (sum < 0n ? -sum : sum) * sum ** BigInt(k);
          return;
        }
        const g = groups[gi]!;
        for (let up = 0; up <= g.count; up++) {
          corners(
            gi + 1,
            sum + BigInt(up) * g.hi + BigInt(g.count - up) * g.lo,
            sign * binomial(g.count, up) * ((g.count - up) % 2 === 0 ? 1n : -1n),
          );
        }
      };
      corners(0, 0n, 1n);
      total = add(total, times(probability, { n: numerator, d: factorial(k + 1) * width }));
    }
  }
  return total;
}
const exactMeanAbs = (atom: Fraction, parts: UniformPart[], b0: bigint, b1: bigint, n1: number) =>
  toNumber(exactMeanAbsFraction(atom, parts, b0, b1, n1));

/**
 * Theorem 1's W = v(e) - E[v] for e ~ U[-1, 1] at alpha = an/ad: an atom alpha/(1+alpha) at 0 and
 * W uniform on [-1, 0] and on [0, 1], each with mass 1/(2(1+alpha)); `decreasing` describes the
 * same law with decreasing values on the pieces.
 */
function uniformVirtualTypeLaw(an: number, ad: number, decreasing = false): { law: AtomicLaw; atom: Fraction; parts: UniformPart[] } {
  const alpha = an / ad;
  const edge = alpha / (1 + alpha);
  const atomMass = edge;
  const law: AtomicLaw = {
    atomMass,
    pieces: decreasing
      ? [
          { from: -1, to: -edge, value: (e) => -(1 + alpha) * e - alpha },
          { from: edge, to: 1, value: (e) => -(1 + alpha) * e + alpha },
        ]
      : [
          { from: -1, to: -edge, value: (e) => (1 + alpha) * e + alpha },
          { from: edge, to: 1, value: (e) => (1 + alpha) * e - alpha },
        ],
    density: (e) => (Math.abs(e) <= 1 ? 0.5 : 0),
    scale: Math.sqrt((1 - atomMass) / 3),
  };
  const partMass = { n: BigInt(ad), d: 2n * BigInt(an + ad) };
  return {
    law,
    atom: { n: BigInt(an), d: BigInt(an + ad) },
    parts: [
      { mass: partMass, lo: -1n, hi: 0n },
      { mass: partMass, lo: 0n, hi: 1n },
    ],
  };
}

// f = (3/4) e^x for x < 0 and (1/4) 3 e^{-3x} for x > 0: continuous at 0, f' (and v') jump there.
const LAPLACE_LEFT = 3 / 4;
const asymmetricLaplace = customDistribution({
  id: "asymmetric-laplace",
  lower: -Infinity,
  upper: Infinity,
  cdf: (x) => (x < 0 ? LAPLACE_LEFT * Math.exp(x) : 1 - (1 - LAPLACE_LEFT) * Math.exp(-3 * x)),
  pdf: (x) => (x < 0 ? LAPLACE_LEFT * Math.exp(x) : 3 * (1 - LAPLACE_LEFT) * Math.exp(-3 * x)),
  quantile: (u) => (u < LAPLACE_LEFT ? Math.log(u / LAPLACE_LEFT) : -Math.log((1 - u) / (1 - LAPLACE_LEFT)) / 3),
});

describe("expected absolute trade E|c0 W0 + c1 (W1 + ... + Wn1)|", () => {
  test("exact rational value for U[-1,1] first best, N = 3: 7/18 (checks the corner-sum formula)", () => {
    // 3 X_1 = -2 e_1 + e_2 + e_3, so E|3 X_1| = 7/6.
    expect(exactMeanAbsFraction({ n: 0n, d: 1n }, [{ mass: { n: 1n, d: 1n }, lo: -1n, hi: 1n }], -2n, 1n, 2)).toEqual({ n: 7n, d: 6n });
  });

  test.each([
    [3, 10, 2],
    [3, 10, 5],
    [1, 2, 2],
    [1, 2, 3],
    [1, 2, 5],
    [1, 2, 10],
    [9, 10, 3],
    [1, 1, 5],
    [1, 1, 10],
  ])("atom plus uniform parts (U[-1,1] at alpha = %s/%s, N = %s) equals the exact rational value", (an, ad, N) => {
    // N = 2 is all pairs (closed form); N >= 3 adds the characteristic-function rest.
    const { law, atom, parts } = uniformVirtualTypeLaw(an, ad);
    const [c0, c1, n1] = [-(N - 1) / N, 1 / N, N - 1];
    const exact = exactMeanAbs(atom, parts, -BigInt(N - 1), 1n, N - 1) / N;
    expect(Math.abs(expectedAbsoluteCombination(law, c0, c1, n1) - exact)).toBeLessThan(statedTolerance(law, c0, c1, n1));
  });

  test.each([
    [2, -1, 4],
    [-3, -2, 2],
    [1, 3, 3],
    [0, 1, 3],
    [5, 0, 3],
  ])("any signs of the coefficients, decreasing values: Y = %s W0 + %s (W1 + ... + W%s)", (b0, b1, n1) => {
    for (const decreasing of [false, true]) {
      const { law, atom, parts } = uniformVirtualTypeLaw(1, 2, decreasing);
      const exact = exactMeanAbs(atom, parts, BigInt(b0), BigInt(b1), n1);
      expect(Math.abs(expectedAbsoluteCombination(law, b0, b1, n1) - exact)).toBeLessThan(statedTolerance(law, b0, b1, n1));
    }
  });

  test.each([3, 5, 20, 50])("first best with U[2,7] endowments (no atom, N = %s): exact rational value", (N) => {
    const exact = exactMeanAbs({ n: 0n, d: 1n }, [{ mass: { n: 1n, d: 1n }, lo: -1n, hi: 1n }], -BigInt(N - 1), 1n, N - 1) / N;
    const dist = uniform(2, 7);
    const o = optimalMechanismOutcome(basicEnvironment({ dist, kappa: 1, traders: N }), solveVirtualType(dist, 0));
    // X_i = -(e_i - ebar) with e = 4.5 + 2.5 U, U uniform on [-1, 1]; sd(X_i) = 2.5 sqrt((N-1)/(3N)).
    const sd = 2.5 * Math.sqrt((N - 1) / (3 * N));
    expect(Math.abs(o.tradeVolumePerTrader - 2.5 * exact)).toBeLessThan(1e-7 * sd);
  });

  test.each([2, 3, 5, 20, 50])("first best and double auction with Exp(1/4) endowments: E|X_i| = 2 ((N-1)/N)^N / rate (N = %s)", (N) => {
    // N X_i = Gamma(N-1) - (N-1) E_0 (centred), and E|G - k E0| = 2k (k/(k+1))^(N-1) with k = N-1.
    const rate = 0.25;
    const closedForm = (2 * ((N - 1) / N) ** N) / rate;
    const sd = Math.sqrt((N - 1) / N) / rate;
    const dist = exponential(rate);
    const env = basicEnvironment({ dist, kappa: 1, traders: N });
    expect(Math.abs(optimalMechanismOutcome(env, solveVirtualType(dist, 0)).tradeVolumePerTrader - closedForm)).toBeLessThan(1e-7 * sd);
    const sle = symmetricLinearEquilibrium(N, 1);
    if (sle.exists) expect(Math.abs(doubleAuctionOutcome(env)!.tradeVolumePerTrader - sle.a * closedForm)).toBeLessThan(1e-7 * sle.a * sd);
  });

  test("Gaussian W: E|Y| = sd(Y) sqrt(2/pi) for any coefficients", () => {
    const dist = normal(0, 1);
    const [lo, hi] = truncatedSupport(dist);
    const law: AtomicLaw = { atomMass: 0, pieces: [{ from: lo, to: hi, value: (e) => e }], density: dist.pdf, scale: 1 };
    for (const [c0, c1, n1] of [
      [1, 0, 0],
      [-0.5, 0.5, 1],
      [-0.8, 0.2, 4],
      [0.3, -1.1, 2],
      [-19 / 20, 1 / 20, 19],
      [2, 3, 49],
    ] as const) {
      const sd = Math.sqrt(c0 * c0 + n1 * c1 * c1);
      expect(Math.abs(expectedAbsoluteCombination(law, c0, c1, n1) - sd * Math.sqrt(2 / Math.PI))).toBeLessThan(
        statedTolerance(law, c0, c1, n1),
      );
    }
  });

  test.each([
    [normal(0, 1), 0.5],
    [exponential(1), 1],
    [asymmetricLaplace, 0.5],
    [asymmetricLaplace, 1],
  ] as [Distribution, number][])(
    "two traders (pairs only), %s at alpha %s: Gini's formula E|X_1| = int (v - m)(2F - 1) f",
    (dist, alpha) => {
      // X_1 = (v(e_2) - v(e_1))/2 and v is non-decreasing, so E|X_1| = int (v(e) - m)(2F(e) - 1) f(e) de.
      const vt = solveVirtualType(dist, alpha);
      const m = vt.meanVirtualType;
      const g = (e: number) => (vt.v(e) - m) * (2 * dist.cdf(e) - 1) * dist.pdf(e);
      const quad = { absTol: 1e-14, relTol: 1e-13, maxSubdivisions: 10000 };
      // Split at the binding region and at 0 (the Laplace kink); v - m vanishes on [eA, eB].
      const below = [dist.lower, ...(vt.eA > 0 ? [0] : []), vt.eA];
      const above = [vt.eB, ...(vt.eB < 0 ? [0] : []), dist.upper];
      let gini = 0;
      for (const cuts of [below, above]) for (let k = 0; k + 1 < cuts.length; k++) gini += integrate(g, cuts[k]!, cuts[k + 1]!, quad).value;
      const o = optimalMechanismOutcome(basicEnvironment({ dist, kappa: 1, traders: 2 }), vt);
      expect(Math.abs(o.tradeVolumePerTrader - gini)).toBeLessThan(1e-7 * Math.sqrt(vt.varianceVirtualType / 2));
    },
  );

  // Smooth non-linear virtual types with an atom (no closed form): values of the previous
  // implementation (nested adaptive quadrature, Kronrod-panel characteristic functions) run at
  // tolerance 1e-10 sd, which the present one reproduces to 3e-11 at that tolerance.
  test.each([
    [normal(0, 1), 0.5, 3, 0.48547181681766494],
    [normal(0, 1), 0.5, 5, 0.5244999213012318],
    [normal(0, 1), 0.9, 10, 0.42094537000068344],
    [exponential(1), 0.5, 3, 0.441376110839782],
    [exponential(1), 0.5, 5, 0.4822303651893115],
    [exponential(1), 0.9, 10, 0.3850984816596559],
  ] as [Distribution, number, number, number][])(
    "optimal mechanism, %s at alpha %s, N = %s: high-precision reference",
    (dist, alpha, N, reference) => {
      const vt = solveVirtualType(dist, alpha);
      const o = optimalMechanismOutcome(basicEnvironment({ dist, kappa: 1, traders: N }), vt);
      const sd = Math.sqrt(((N - 1) / N) * vt.varianceVirtualType);
      expect(Math.abs(o.tradeVolumePerTrader - reference)).toBeLessThan(1e-7 * sd);
    },
  );

  test("a density with a kink off the panel ends (asymmetric Laplace): first best against the closed-form characteristic function", () => {
    const p = LAPLACE_LEFT;
    const dist = asymmetricLaplace;
    const mean = dist.mean;
    // phi(t) e^{-i t mean}, phi(t) = p/(1 + i t) + (1-p) 3/(3 - i t).
    const centredCf = (t: number): [number, number] => {
      const re = p / (1 + t * t) + (3 * (1 - p) * 3) / (9 + t * t);
      const im = (-p * t) / (1 + t * t) + (3 * (1 - p) * t) / (9 + t * t);
      const c = Math.cos(t * mean);
      const s = Math.sin(t * mean);
      return [re * c + im * s, im * c - re * s];
    };
    const N = 3;
    const [c0, c1] = [-(N - 1) / N, 1 / N];
    const variance = (c0 * c0 + (N - 1) * c1 * c1) * dist.variance;
    const reference =
      (2 / Math.PI) *
      integrate(
        (t) => {
          if (t < 1e-6) return variance / 2;
          if (t > 1e100) return 1 / (t * t);
          const [r0, i0] = centredCf(c0 * t);
          const [r1, i1] = centredCf(c1 * t);
          const [r2, i2] = [r1 * r1 - i1 * i1, 2 * r1 * i1];
          return (1 - (r0 * r2 - i0 * i2)) / (t * t);
        },
        0,
        Infinity,
        { absTol: 1e-11, relTol: 1e-12, maxSubdivisions: 20000 },
      ).value;
    const o = optimalMechanismOutcome(basicEnvironment({ dist, kappa: 1, traders: N }), solveVirtualType(dist, 0));
    expect(Math.abs(o.tradeVolumePerTrader - reference)).toBeLessThan(1e-7 * Math.sqrt(variance));
  });
});
