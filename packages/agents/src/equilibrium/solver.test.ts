import { type FeeSchedule, linearSchedule } from "@optex/engine";
import { feeFromSpec, quadraticFee } from "@optex/fees";
import { type Distribution, exponential, normal, solveVirtualType, uniform } from "@optex/theory";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { regretOf } from "../bestResponder.ts";
import { certify } from "./certificate.ts";
import { rowInto, tableDistance } from "./scheduleTable.ts";
import { type EquilibriumEnvironment, solveEquilibrium, startTable } from "./solver.ts";

// Small grids keep these fast: linear equilibria are represented exactly on any grid, and
// Proposition 3's is ex post, so its best response is exact at every node whatever the grid.
const SMALL = { types: 16, prices: 24, samples: 600, seed: "solver-test" } as const;

const env = (dist: Distribution, traders: number, kappa = 1): EquilibriumEnvironment => ({ dist, kappa, traders, muPi: 0 });

const distance = tableDistance;

/** The linear schedule q = -(c/kappa)(e - mu_e) - c (p - mu_pi + mu_e/kappa). */
const linear = (e: EquilibriumEnvironment, c: number) => (x: number, p: number) =>
  -(c / e.kappa) * (x - e.dist.mean) - c * (p - e.muPi + e.dist.mean / e.kappa);

describe("the plain auction (--fee none): the symmetric linear equilibrium of Section 4.3", () => {
  test.each([3, 5, 10])("N = %i: slope and intercepts within 1e-3 sd(e), from the price taker and from zero intelligence", (N) => {
    const e = env(normal(0.3, 0.8), N, 2);
    const sle = linear(e, (e.kappa * (N - 2)) / (N - 1));
    for (const start of ["price-taker", "zero-intelligence"] as const) {
      const s = solveEquilibrium(e, feeFromSpec("none", e), { ...SMALL, start });
      expect(s.status, s.reason).toBe("converged");
      expect(distance(e, s.table, sle)).toBeLessThan(1e-3);
    }
  });

  test("N = 2: no equilibrium (the best response to any slope is flatter)", () => {
    const e = env(uniform(-1, 1), 2);
    const s = solveEquilibrium(e, feeFromSpec("none", e), SMALL);
    expect(s.status).toBe("no-equilibrium");
    expect(s.reason).toMatch(/flatten towards no trade/);
  });
});

describe("Proposition 3's fee: truthful virtual-type bids, reached from another strategy", () => {
  // From zero intelligence at alpha = 1 the dynamics run to the quantity cap instead: the fee
  // subsidises large trades (its quadratic part is minus the price impact), so against the flat
  // schedules of zero intelligence the payoff is convex (docs/equilibrium.md). From the price
  // taker's schedules they reach the truthful bids.
  test.each([
    ["uniform:-1,1", 0.5, 5, "zero-intelligence", uniform(-1, 1)],
    ["normal:0,1", 0.3, 5, "zero-intelligence", normal(0, 1)],
    ["uniform:-1,1", 1, 3, "price-taker", uniform(-1, 1)],
    ["exponential:1", 1, 4, "price-taker", exponential(1)],
  ] as const)("%s at alpha = %d, N = %i, from the %s start", (_id, alpha, N, start, dist) => {
    const e = env(dist, N);
    const vt = solveVirtualType(dist, alpha);
    const s = solveEquilibrium(e, feeFromSpec(`prop3:${alpha}`, e), { ...SMALL, types: 12, prices: 20, start });
    expect(s.status, s.reason).toBe("converged");
    expect(distance(e, s.table, (x, p) => -vt.v(x) - e.kappa * (p - e.muPi))).toBeLessThan(1e-3);
  });
});

describe("a quadratic fee T = (C/2) q^2: the closed-form linear equilibrium", () => {
  // Against N - 1 others of slope c the residual supply has slope (N-1) c; the best response's
  // first-order condition -(e + x)/kappa - p - C x = x / ((N-1) c) gives slope
  // kappa / (1 + kappa C + kappa / ((N-1) c)), whose fixed point is c = kappa (N-2) / ((N-1)(1 + kappa C)).
  const closedFormSlope = (kappa: number, N: number, C: number) => (kappa * (N - 2)) / ((N - 1) * (1 + kappa * C));

  test.each([
    [0.5, 5, 1],
    [-0.3, 4, 1.5],
    [2, 10, 0.5],
  ])("C = %d, N = %i, kappa = %d: the solver finds it", (C, N, kappa) => {
    const e = env(uniform(-1, 1), N, kappa);
    const s = solveEquilibrium(e, quadraticFee(C), { ...SMALL, start: "zero-intelligence" });
    expect(s.status, s.reason).toBe("converged");
    expect(distance(e, s.table, linear(e, closedFormSlope(kappa, N, C)))).toBeLessThan(1e-3);
  });

  test("the derivation, checked by the best responder: no regret in any market; a wrong slope has regret", () => {
    const kappa = 1.5;
    const N = 5;
    const C = 0.4;
    const fee: FeeSchedule = quadraticFee(C);
    const rng = seedrandom.alea("quadratic-derivation");
    const regretWith = (c: number) => {
      let worst = 0;
      for (let m = 0; m < 40; m++) {
        const endowments = Array.from({ length: N }, () => 2 * rng() - 1);
        const schedules = endowments.map((x) => linearSchedule(-(c / kappa) * x, c));
        const problem = { endowment: endowments[0]!, kappa, muPi: 0, others: schedules.slice(1), fee, trader: 0 };
        worst = Math.max(worst, regretOf(problem, schedules[0]!).regret);
      }
      return worst;
    };
    expect(regretWith(closedFormSlope(kappa, N, C))).toBeLessThan(1e-10);
    // The plain auction's slope (C dropped from the derivation) is not a best response under the fee.
    expect(regretWith((kappa * (N - 2)) / (N - 1))).toBeGreaterThan(1e-4);
  });
});

describe("starting from a given table", () => {
  test("its own nodes and prices set the grid, whatever the options say", () => {
    const e = env(uniform(-1, 1), 5);
    const start = startTable(e, "price-taker", 12, 20, "given");
    const s = solveEquilibrium(e, feeFromSpec("none", e), { samples: 600, seed: "given", start });
    expect(s.status, s.reason).toBe("converged");
    expect(s.table.typeNodes).toHaveLength(12);
    for (const step of s.path) expect(Number.isFinite(step.epsilon)).toBe(true);
    expect(distance(e, s.table, linear(e, (e.kappa * 3) / 4))).toBeLessThan(1e-3);
  });
});

describe("the certificate", () => {
  test("at the plain auction's equilibrium both bounds vanish; off it (price takers) the deviation found gains a lot", () => {
    const e = env(uniform(-1, 1), 5);
    const fee = feeFromSpec("none", e);
    const s = solveEquilibrium(e, fee, SMALL);
    const atEquilibrium = certify(e, fee, s.table, { seed: SMALL.seed, samples: 400, checkTypes: 6 });
    expect(atEquilibrium.epsilonFound).toBeLessThan(1e-9);
    expect(atEquilibrium.epsilonBound).toBeLessThan(1e-9);
    // Negative control: bidding as a price taker is off the equilibrium, in every checked type.
    const offEquilibrium = certify(e, fee, startTable(e, "price-taker", SMALL.types, SMALL.prices, "x"), {
      seed: SMALL.seed,
      samples: 400,
      checkTypes: 6,
    });
    expect(offEquilibrium.epsilonFound).toBeGreaterThan(1e-2);
    for (const t of offEquilibrium.perType) expect(t.found.ci99[0]).toBeGreaterThan(0);
  });

  test("per-unit fee: the deviation found never beats the upper bound, and both are small at the equilibrium", () => {
    const e = env(uniform(-1, 1), 6);
    const fee = feeFromSpec("per-unit:0.05", e);
    const s = solveEquilibrium(e, fee, { ...SMALL, types: 32, prices: 40, samples: 1500 });
    expect(s.status, s.reason).toBe("converged");
    const c = certify(e, fee, s.table, { seed: SMALL.seed, samples: 1500, checkTypes: 8 });
    for (const t of c.perType) expect(t.found.mean).toBeLessThanOrEqual(t.bound.ci99[1]);
    expect(c.epsilonFound).toBeLessThan(1e-3);
    expect(c.epsilonBound).toBeLessThan(1e-2);
    // The dead zone: types near the mean do not trade at the centre price.
    const row = rowInto(s.table, 0, new Float64Array(s.table.prices.length));
    const centre = s.table.prices.length >> 1;
    expect(Math.abs(row[centre - 1]!) + Math.abs(row[centre]!)).toBeLessThan(0.05);
  });

  test("same seed, same table; from zero intelligence, the same equilibrium", () => {
    const e = env(uniform(-1, 1), 6);
    const fee = feeFromSpec("per-unit:0.05", e);
    const a = solveEquilibrium(e, fee, { ...SMALL, types: 32, prices: 40, samples: 1500 });
    const b = solveEquilibrium(e, fee, { ...SMALL, types: 32, prices: 40, samples: 1500 });
    expect(Array.from(b.table.q)).toEqual(Array.from(a.table.q));
    const z = solveEquilibrium(e, fee, { ...SMALL, types: 32, prices: 40, samples: 1500, start: "zero-intelligence" });
    const row = new Float64Array(z.table.prices.length);
    expect(
      distance(e, a.table, (x, p) => {
        rowInto(z.table, x, row);
        return row[z.table.prices.indexOf(p)]!;
      }),
    ).toBeLessThan(1e-3);
  });
});
