import { bidOf, priceTaker, regretOf } from "@optex/agents";
import { clear } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import { basicEnvironment, decorrelate, normal, solveVirtualType, uniform } from "@optex/theory";
import { Matrix, solve } from "ml-matrix";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";

// Proposition 6: separate double auctions for uncorrelated derivatives, each with an alpha = 0
// Proposition 3 fee (capacity kappa / lambda_a), reach the efficient allocation of correlated assets.

const sigma = [
  [2.0, 0.8, -0.3],
  [0.8, 1.5, 0.4],
  [-0.3, 0.4, 1.0],
];

describe("Proposition 6: uncorrelated derivatives, separate auctions", () => {
  test("the decomposition reconstructs Sigma and the derivatives' payoffs are uncorrelated", () => {
    const { Q, variances } = decorrelate(sigma);
    const q = new Matrix(Q);
    const back = q.mmul(Matrix.diag(variances)).mmul(q.transpose());
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) expect(back.get(a, b)).toBeCloseTo(sigma[a]![b]!, 12);
    const cov = q.transpose().mmul(new Matrix(sigma)).mmul(q);
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) if (a !== b) expect(Math.abs(cov.get(a, b))).toBeLessThan(1e-12);
    expect(() =>
      decorrelate([
        [1, 2],
        [2, 1],
      ]),
    ).toThrow(/positive definite/);
  });

  test("truthful bids in the derivatives' auctions clear to the efficient allocation of the assets, and are best responses", () => {
    const { Q, variances } = decorrelate(sigma);
    const kappa = 1.3;
    const N = 6;
    const rng = seedrandom.alea("prop6");
    const laws = [normal(0.2, 1), uniform(-1, 2), normal(-0.5, 0.7)];
    const e = Array.from({ length: N }, () => laws.map((d) => d.sample(rng)));
    const eBar = [0, 1, 2].map((a) => e.reduce((s, ei) => s + ei[a]!, 0) / N);
    const holdings = e.map((ei) => [0, 1, 2].map((a) => Q.reduce((s, row, j) => s + row[a]! * ei[j]!, 0))); // Q^T e
    const trades = e.map(() => [0, 0, 0]);
    for (let a = 0; a < 3; a++) {
      const kappaA = kappa / variances[a]!;
      // Holdings of derivative a are not Gaussian in general: the first-best fee needs only c and d (B is constant at alpha = 0 on R).
      const env = basicEnvironment({ dist: normal(0, 1), kappa: kappaA, traders: N });
      const fee = prop3Fee(env, solveVirtualType(env.dist, 0));
      const bids = holdings.map((h) => bidOf(priceTaker(kappaA, 0), h[a]!));
      const result = clear(bids);
      if (result.status !== "cleared") throw new Error("expected a price");
      for (let i = 0; i < N; i++) {
        // Trader i's derivative trade, mapped back to the assets: X_i = Q Y_i.
        for (let j = 0; j < 3; j++) trades[i]![j]! += Q[j]![a]! * result.quantities[i]!;
        const r = regretOf(
          { endowment: holdings[i]![a]!, kappa: kappaA, muPi: 0, others: bids.filter((_, m) => m !== i), fee, trader: i },
          bids[i]!,
        );
        expect(r.regret).toBeLessThan(1e-10);
      }
    }
    for (let i = 0; i < N; i++) for (let j = 0; j < 3; j++) expect(trades[i]![j]!).toBeCloseTo(-(e[i]![j]! - eBar[j]!), 10);
  });

  test("separate auctions on the correlated assets themselves are not an equilibrium (joint deviations pay)", () => {
    // Trader i faces linear residual supplies p_a = p0_a + Lambda_a q_a in each asset's auction, with
    // the per-asset first-best fee (c_a/2) q_a^2 (B is constant at alpha = 0). Its true payoff couples
    // the assets through Sigma, so per-asset truthful bids are not jointly optimal: the payoff is a
    // concave quadratic in q, maximised by one linear solve.
    const kappa = 1;
    const N = 5;
    const k = 3;
    const lambda = [0, 1, 2].map((a) => sigma[a]![a]! / ((N - 1) * kappa)); // price impact with per-asset capacities kappa / Sigma_aa
    const c = lambda.map((l) => -l);
    const e = [0.7, -0.4, 0.9];
    const p0 = [0.1, -0.2, 0.05];
    const payoff = (q: number[]) => {
      let w = 0;
      for (let a = 0; a < k; a++) w += -(p0[a]! + lambda[a]! * q[a]!) * q[a]! - 0.5 * c[a]! * q[a]! ** 2;
      const pos = e.map((x, a) => x + q[a]!);
      let quad = 0;
      let quad0 = 0;
      for (let a = 0; a < k; a++)
        for (let b = 0; b < k; b++) {
          quad += pos[a]! * sigma[a]![b]! * pos[b]!;
          quad0 += e[a]! * sigma[a]![b]! * e[b]!;
        }
      return w - (quad - quad0) / (2 * kappa);
    };
    // Per-asset truthful (price-taking in its own asset, ignoring the others): the first-order
    // condition of each asset alone, as a separate auction's Proposition 3 bidder would solve it.
    const perAsset = [0, 1, 2].map((a) => (-p0[a]! - (sigma[a]![a]! * e[a]!) / kappa) / (2 * lambda[a]! + c[a]! + sigma[a]![a]! / kappa));
    // Joint optimum: gradient -p0 - (2 Lambda + c) q - Sigma (e + q)/kappa = 0.
    const A = new Matrix(k, k);
    const rhs = Matrix.columnVector(e.map((_, a) => -p0[a]! - sigma[a]!.reduce((s, x, b) => s + x * e[b]!, 0) / kappa));
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) A.set(a, b, (a === b ? 2 * lambda[a]! + c[a]! : 0) + sigma[a]![b]! / kappa);
    const joint = solve(A, rhs).to1DArray();
    expect(payoff(joint) - payoff(perAsset)).toBeGreaterThan(1e-3);
    // Control: with a diagonal Sigma the per-asset bids are jointly optimal.
    const diagonal = sigma.map((row, a) => row.map((x, b) => (a === b ? x : 0)));
    const A0 = new Matrix(k, k);
    for (let a = 0; a < k; a++) A0.set(a, a, 2 * lambda[a]! + c[a]! + diagonal[a]![a]! / kappa);
    const joint0 = solve(A0, Matrix.columnVector(e.map((_, a) => -p0[a]! - (diagonal[a]![a]! * e[a]!) / kappa))).to1DArray();
    joint0.forEach((q, a) => expect(q).toBeCloseTo(perAsset[a]!, 12));
  });
});
