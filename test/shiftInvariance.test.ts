import { modelById, resolveParameters } from "@optex/scenarios";
import { expect, test } from "vitest";

/**
 * Results that do not depend on the mean endowment are computed so that they do not (centred
 * coordinates): across the documented range |mu_e| <= 1e9, each stays within 1e-9 of its value at
 * mu_e = 0, relative to the model's scale (the basic model's laws are covered in
 * packages/theory/src/basic/shiftInvariance.test.ts).
 */
const theoryAt = (id: string, given: Record<string, number>) => {
  const model = modelById(id);
  return model.theory(resolveParameters(model, given, (k) => k)).json as Record<string, unknown>;
};
const pick = (o: unknown, path: string) => path.split(".").reduce((x, k) => (x as Record<string, unknown>)[k], o) as number;

test.each([
  [
    "adverse-selection",
    ["optimal.revenuePerTrader", "optimal.utilityGainPerTrader", "optimal.tradeVolumePerTrader", "robust.revenuePerTrader"],
  ],
  [
    "dynamic",
    ["perTrader.participationCharge", "perTrader.npvSubsidies", "perTrader.npvGainsFromTrade", "perTrader.netGain", "total.budgetSurplus"],
  ],
] as const)("%s: invariant results at mu_e up to 1e9", (id, paths) => {
  const base = theoryAt(id, { muE: 0 });
  for (const muE of [1, -1e4, 1e8, 1e9, -1e9]) {
    const shifted = theoryAt(id, { muE });
    for (const path of paths) {
      const a = pick(shifted, path);
      const b = pick(base, path);
      if (a === undefined && b === undefined) continue;
      expect(Math.abs(a - b), `${path} at mu_e ${muE}`).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(b)));
    }
  }
});
