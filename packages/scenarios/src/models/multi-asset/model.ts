import { multiAssetIcEnvironment } from "./ic.ts";
import { InputError } from "../../inputError.ts";
import { multiAssetReport } from "./report.ts";
import { multiAssetTable } from "../../output/tables.ts";
import { type ModelDefinition, num, selectMechanisms } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";
import { multiAssetMechanisms, multiAssetSimulations } from "./simulation.ts";

const environmentOf = (p: ParameterPoint) => ({
  assets: num(p, "assets"),
  traders: num(p, "traders"),
  kappa: num(p, "kappa"),
  sigmaE: num(p, "sigmaE"),
  sigmaPi: num(p, "sigmaPi"),
  alpha: num(p, "alpha"),
});

/** Section 6 under Condition 3: k assets, isotropic endowments and payoffs (Propositions 7 and 8). */
export const multiAssetModel: ModelDefinition = {
  id: "multi-asset",
  title: "Several assets (Section 6, Condition 3)",
  parameters: [
    { spec: P.assets, default: 2 },
    { spec: P.traders, default: 5 },
    { spec: P.kappa, default: 1 },
    { spec: P.alpha, default: 0.5 },
    { spec: P.sigmaE, default: 1 },
    { spec: P.sigmaPi, default: 1 },
  ],
  frontier: false,
  theory(p) {
    const report = multiAssetReport(environmentOf(p));
    return { json: report, text: multiAssetTable(report) };
  },
  mechanisms: multiAssetMechanisms,
  simulations(p, mechanisms) {
    return multiAssetSimulations(environmentOf(p), selectMechanisms(this, mechanisms));
  },
  taskValues(p) {
    const r = multiAssetReport(environmentOf(p));
    return {
      values: {
        radius: r.radius,
        feeC: r.fee.c,
        revenuePerTrader: r.revenuePerTrader,
        holdingCostPerTrader: r.holdingCostPerTrader,
        utilityGainPerTrader: r.utilityGainPerTrader,
      },
    };
  },
  ic: {
    defaultFee: "prop8",
    environment: (p, fee) => {
      // The joint best response searches R^k by Nelder-Mead from several starts: beyond 8 assets a market takes seconds.
      if (num(p, "assets") > 8)
        throw new InputError(`optex ic --model multi-asset: assets must be an integer in [1, 8], got ${num(p, "assets")}`);
      return multiAssetIcEnvironment(environmentOf(p), fee) as never;
    },
  },
};
