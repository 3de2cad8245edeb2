import { type DemandSchedule, linearSchedule, noFee } from "@optex/engine";
import seedrandom from "seedrandom";
import { describe, expect, test } from "vitest";
import { regretOf } from "./bestResponder.ts";
import { heterogeneousSleBidder } from "./heterogeneousSleBidder.ts";
import { sleBidder } from "./sleBidder.ts";
import { normal } from "./testSupport.ts";

const specsOf = (kappas: readonly number[], sds: readonly number[]) =>
  kappas.map((kappa, i) => ({ dist: normal(0.1 * i, sds[i]!), kappa }));

describe("heterogeneous double auction's linear equilibrium bidder", () => {
  test("identical traders bid the symmetric linear equilibrium", () => {
    const muPi = 0.3;
    const bidder = heterogeneousSleBidder(specsOf([1.7, 1.7, 1.7, 1.7, 1.7], [1, 1, 1, 1, 1]), muPi);
    const sle = sleBidder(5, 1.7, muPi);
    for (let i = 0; i < 5; i++) {
      const [s] = bidder.bid(0.4, { trader: i, traders: 5, assets: 1, round: 0 });
      expect(s!.kind).toBe("linear");
      if (s!.kind !== "linear") continue;
      expect(s!.slope).toBeCloseTo(sle.slope, 13);
      expect(s!.intercept).toBeCloseTo(sle.intercept(0.4), 13);
    }
  });

  // Ex post: whatever the endowments, no trader gains by another point of its residual supply.
  // Control: the symmetric equilibrium's coefficients (c_i = kappa_i (N-2)/(N-1)) are not one
  // when capacities differ, so some trader's regret must be large.
  test("each trader's bid is a best response to the others' (regret ~ 0); symmetric coefficients are not", () => {
    const kappas = [0.5, 1, 2, 4];
    const sds = [0.5, 1, 2, 1];
    const muPi = 0.25;
    const N = kappas.length;
    const bidder = heterogeneousSleBidder(specsOf(kappas, sds), muPi);
    const symmetric = kappas.map((kappa) => ({ a: (N - 2) / (N - 1), c: (kappa * (N - 2)) / (N - 1) }));
    const rng = seedrandom.alea("heterogeneous-sle");
    const z = normal(0, 1);
    let worst = 0;
    let controlWorst = 0;
    for (let draw = 0; draw < 10; draw++) {
      const endowments = sds.map((sd, i) => 0.1 * i + sd * z.sample(rng));
      const bids = endowments.map((e, i) => bidder.bid(e, { trader: i, traders: N, assets: 1, round: 0 })[0]!);
      const control = endowments.map((e, i) => linearSchedule(symmetric[i]!.c * muPi - symmetric[i]!.a * e, symmetric[i]!.c));
      const regret = (book: readonly DemandSchedule[], i: number) =>
        regretOf(
          { endowment: endowments[i]!, kappa: kappas[i]!, muPi, others: book.filter((_, j) => j !== i), fee: noFee, trader: i },
          book[i]!,
        ).regret *
        (kappas[i]! / sds[i]! ** 2);
      for (let i = 0; i < N; i++) {
        worst = Math.max(worst, regret(bids, i));
        controlWorst = Math.max(controlWorst, regret(control, i));
      }
    }
    expect(worst).toBeLessThan(1e-10);
    expect(controlWorst).toBeGreaterThan(1e-3);
  });

  test("the declared fast path bids the same schedules as bid()", () => {
    const kappas = [1, 2, 3];
    const bidder = heterogeneousSleBidder(specsOf(kappas, [0.5, 1, 2]), -0.4);
    const endowments = Float64Array.from([0.3, -1.2, 2.5]);
    const intercepts = new Float64Array(3);
    bidder.perTraderLinear.interceptsInto(endowments, intercepts);
    for (let i = 0; i < 3; i++) {
      const [s] = bidder.bid(endowments[i]!, { trader: i, traders: 3, assets: 1, round: 0 });
      expect(s).toEqual(linearSchedule(intercepts[i]!, bidder.perTraderLinear.slopes[i]!));
      const { a, c } = bidder.coefficients[i]!;
      expect(intercepts[i]).toBeCloseTo(c * -0.4 - a * endowments[i]!, 14);
    }
    expect(() => bidder.bid(0, { trader: 0, traders: 4, assets: 1, round: 0 })).toThrow(/3 traders/);
  });

  test("two traders have no linear equilibrium", () => {
    expect(() => heterogeneousSleBidder(specsOf([1, 2], [1, 1]), 0)).toThrow(/no linear equilibrium with 2 traders/);
  });
});
