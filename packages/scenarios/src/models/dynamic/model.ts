import { dynamicDoubleAuction } from "@optex/theory";
import { dynamicReport, formatDynamicReport } from "./report.ts";
import { list, type ModelDefinition, num } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";
import { dynamicIcEnvironment } from "./ic.ts";
import { dynamicMechanisms, dynamicSimulations } from "./simulation.ts";

const environmentOf = (p: ParameterPoint) => ({
  traders: num(p, "traders"),
  kappa: num(p, "kappa"),
  delta: num(p, "delta"),
  dt: num(p, "dt"),
  muE: num(p, "muE"),
  sigma0: num(p, "sigma0"),
  sigmaZ: num(p, "sigmaZ"),
});

/** Section 8, Proposition 12: a double auction every dt while endowments receive Brownian shocks. */
export const dynamicModel: ModelDefinition = {
  id: "dynamic",
  title: "Dynamics (Section 8, Proposition 12)",
  parameters: [
    { spec: P.traders, default: 5 },
    { spec: P.kappa, default: 1 },
    { spec: P.delta, default: 0.1 },
    { spec: P.dt, default: 1 },
    { spec: P.muE, default: 0 },
    { spec: P.sigma0, default: 1 },
    { spec: P.sigmaZ, default: 1 },
    { spec: P.dts },
  ],
  frontier: false,
  theory(p) {
    const dts = list<number>(p, "dts");
    const report = dynamicReport({
      traders: num(p, "traders"),
      kappa: num(p, "kappa"),
      delta: num(p, "delta"),
      dt: num(p, "dt"),
      muE: num(p, "muE"),
      sigma0: num(p, "sigma0"),
      sigmaZ: num(p, "sigmaZ"),
      ...(dts ? { dts } : {}),
    });
    return { json: report, text: formatDynamicReport(report) };
  },
  mechanisms: dynamicMechanisms,
  defaultMechanisms: ["efficient"],
  simulations: (p, mechanisms) => dynamicSimulations(environmentOf(p), mechanisms ?? ["efficient"]),
  ic: {
    defaultFee: "prop12",
    environment: (p, fee) => dynamicIcEnvironment(environmentOf(p), fee) as never,
  },
  taskValues(p) {
    const d = dynamicDoubleAuction(environmentOf(p));
    return {
      values: {
        feeC: d.feeC,
        priceImpact: d.priceImpact,
        participationChargePerTrader: d.perTrader.participationCharge,
        npvSubsidies: d.total.npvSubsidies,
        chargeRevenue: d.total.chargeRevenue,
        budgetSurplus: d.total.budgetSurplus,
        continuousBudgetSurplus: d.continuousLimit.budgetSurplus,
        npvGainsFromTrade: d.total.npvGainsFromTrade,
      },
    };
  },
};
