import { basicEnvironment, type BasicEnvironment, parseDistribution, revenueEfficiencyFrontier } from "@optex/theory";
import { basicIcEnvironment } from "../../ic/singleAsset.ts";
import { frontierTable, theoryTable } from "../../output/tables.ts";
import { basicPlots } from "./plots.ts";
import { basicTheoryReport } from "./report.ts";
import { type ModelDefinition, num, selectMechanisms, str } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";
import { basicMechanism, type BasicMechanismId, basicMechanisms, basicSimulation } from "./simulation.ts";

/** The basic model's environment from a parameter point. */
export function basicEnvironmentOf(p: ParameterPoint): BasicEnvironment {
  return basicEnvironment({
    dist: parseDistribution(str(p, "dist")),
    kappa: num(p, "kappa"),
    traders: num(p, "traders"),
    muPi: num(p, "muPi"),
  });
}

/** Sections 3-4: N traders with iid private endowments, Theorem 1 and the Proposition 3 fee. */
export const basicModel: ModelDefinition = {
  id: "basic",
  title: "Basic model (Sections 3-4)",
  parameters: [
    { spec: P.dist, default: "uniform:-1,1" },
    { spec: P.kappa, default: 1 },
    { spec: P.traders, default: 10 },
    { spec: P.alpha, default: 0.5 },
    { spec: P.muPi, default: 0 },
  ],
  frontier: true,
  theory(p, frontier) {
    const env = basicEnvironmentOf(p);
    const report = basicTheoryReport(env, num(p, "alpha"));
    const points = frontier ? revenueEfficiencyFrontier(env, frontier) : undefined;
    return { json: points ? { ...report, frontier: points } : report, text: theoryTable(report) + (points ? frontierTable(points) : "") };
  },
  mechanisms: basicMechanisms,
  plots: basicPlots,
  simulations(p, mechanisms) {
    const env = basicEnvironmentOf(p);
    // Without an explicit choice the plain auction runs only where its equilibrium exists (N >= 3).
    const ids = mechanisms ? selectMechanisms(this, mechanisms) : basicMechanisms.filter((m) => m !== "double-auction" || env.traders > 2);
    return ids.map((id) => basicSimulation(env, basicMechanism(id as BasicMechanismId, env, num(p, "alpha"))));
  },
  interim(p, mechanism, points) {
    const env = basicEnvironmentOf(p);
    const theory = basicMechanism(mechanism as BasicMechanismId, env, num(p, "alpha")).theory;
    // Equally spaced quantile levels of the law (its 0.5% to 99.5%).
    const x = Array.from({ length: points }, (_, k) => env.dist.quantile(0.005 + (0.99 * k) / Math.max(1, points - 1)));
    return {
      series: mechanism,
      variable: "endowment e",
      x,
      allocation: x.map((e) => theory.interimAllocation(e)),
      transfer: x.map((e) => theory.interimTransfer(e)),
    };
  },
  ic: {
    defaultFee: "prop3",
    environment: (p, fee) =>
      basicIcEnvironment(
        {
          dist: parseDistribution(str(p, "dist")),
          traders: num(p, "traders"),
          kappa: num(p, "kappa"),
          alpha: num(p, "alpha"),
          muPi: num(p, "muPi"),
        },
        fee,
      ) as never,
  },
};
