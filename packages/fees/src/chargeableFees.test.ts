import { uniform } from "@optex/theory";
import { describe, expect, test } from "vitest";
import { buySellFee, feeFromSpec, perUnitFee, quadraticFee, twoPartFee } from "./chargeableFees.ts";

describe("chargeable fees", () => {
  const qs = [-2, -0.5, 0, 1e-9, 0.7, 3];
  test.each([
    [quadraticFee(-0.4), (q: number) => -0.2 * q * q],
    [perUnitFee(0.05), (q: number) => 0.05 * Math.abs(q)],
    [buySellFee(0.1, 0.02), (q: number) => (q > 0 ? 0.1 * q : q < 0 ? 0.02 * -q : 0)],
    [twoPartFee(0.01, 0.03), (q: number) => (q === 0 ? 0 : 0.01 + 0.03 * Math.abs(q))],
  ])("%# charges its formula, and its batch path agrees", (fee, formula) => {
    const out = new Float64Array(qs.length);
    fee.feesInto!(Float64Array.from(qs), 0.3, out);
    qs.forEach((q, i) => {
      expect(fee.fee(i, q, 0.3)).toBe(formula(q));
      expect(out[i]).toBe(formula(q));
    });
  });

  const env = { dist: uniform(-1, 1), kappa: 1, traders: 5, muPi: 0 };
  test("specs build the named fee", () => {
    expect(feeFromSpec("none", env).fee(0, 1, 0)).toBe(0);
    expect(feeFromSpec("per-unit:0.05", env).fee(0, -2, 0)).toBeCloseTo(0.1, 15);
    expect(feeFromSpec("buy-sell:0.1,0.02", env).fee(0, -1, 0)).toBeCloseTo(0.02, 15);
    expect(feeFromSpec("two-part:0.01,0.03", env).fee(0, 1, 0)).toBeCloseTo(0.04, 15);
    expect(feeFromSpec("quadratic:2", env).fee(0, 1, 0)).toBe(1);
    expect(feeFromSpec("prop3:0.5", env).id).toBe("prop3");
  });
  test.each([
    ["per-unit:-1", /per-unit: TAU must be a finite number >= 0, got -1/],
    ["per-unit", /expected per-unit:TAU/],
    ["buy-sell:0.1", /expected buy-sell:TB,TS/],
    ["prop3:2", /ALPHA must be in \[0, 1\], got 2/],
    ["quadratic:abc", /expected quadratic:C with finite numbers/],
    ["flat:1", /unknown; expected one of none, prop3:ALPHA/],
    ["none:1", /none takes no parameters/],
  ])("%s is refused in one line", (spec, message) => {
    expect(() => feeFromSpec(spec, env)).toThrow(message);
  });
});
