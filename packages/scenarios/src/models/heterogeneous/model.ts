import { parseDistribution } from "@optex/theory";
import { heterogeneousReport } from "./report.ts";
import { heterogeneousIcEnvironment } from "../../ic/singleAsset.ts";
import { InputError } from "../../inputError.ts";
import { heterogeneousTable } from "../../output/tables.ts";
import { list, type ModelDefinition, num } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";
import { heterogeneousMechanisms, heterogeneousSimulations } from "./simulation.ts";

const lawsOf = (p: ParameterPoint) => list<string>(p, "dists")!.map((d) => parseDistribution(d));

/** Section 7: traders with their own laws and holding capacities (Theorem 5, Proposition 10). */
export const heterogeneousModel: ModelDefinition = {
  id: "heterogeneous",
  title: "Heterogeneous traders (Section 7)",
  parameters: [
    { spec: P.dists, required: true },
    { spec: P.kappas, required: true },
    { spec: P.alpha, default: 0.5 },
    { spec: P.muPi, default: 0 },
  ],
  check(p) {
    const dists = list<string>(p, "dists")!;
    const kappas = list<number>(p, "kappas")!;
    if (dists.length !== kappas.length)
      throw new InputError(`--dists has ${dists.length} laws but --kappas has ${kappas.length} values; they must match`);
  },
  frontier: true,
  theory(p, frontier) {
    const report = heterogeneousReport(lawsOf(p), list<number>(p, "kappas")!, num(p, "alpha"), num(p, "muPi"), frontier);
    return { json: report, text: heterogeneousTable(report) };
  },
  mechanisms: heterogeneousMechanisms,
  simulations: (p, mechanisms) =>
    heterogeneousSimulations(
      { dists: lawsOf(p), kappas: list<number>(p, "kappas")!, alpha: num(p, "alpha"), muPi: num(p, "muPi") },
      mechanisms,
    ),
  taskValues(p) {
    const r = heterogeneousReport(lawsOf(p), list<number>(p, "kappas")!, num(p, "alpha"), num(p, "muPi"));
    const values: Record<string, number | null> = {
      totalRevenue: r.totals.revenue,
      totalHoldingCost: r.totals.holdingCost,
      totalUtilityGain: r.totals.utilityGain,
    };
    r.traders.forEach((t, i) => {
      values[`trader${i + 1}Revenue`] = t.revenue;
      values[`trader${i + 1}UtilityGain`] = t.utilityGain;
      values[`trader${i + 1}BindingWidth`] = t.eB - t.eA;
    });
    return { values };
  },
  ic: {
    defaultFee: "prop10",
    tradersChecked: "all",
    environment: (p, fee) =>
      heterogeneousIcEnvironment(
        { dists: lawsOf(p), kappas: list<number>(p, "kappas")!, alpha: num(p, "alpha"), muPi: num(p, "muPi") },
        fee,
      ) as never,
  },
};
