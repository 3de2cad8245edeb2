import { correlatedAssetsReport, equicorrelated } from "./report.ts";
import { InputError } from "../../inputError.ts";
import { correlatedAssetsTable } from "../../output/tables.ts";
import { list, type ModelDefinition, num, selectMechanisms } from "../model.ts";
import { type ParameterPoint, parameterSpecs as P } from "../parameters.ts";
import { correlatedAssetsIcEnvironment } from "./ic.ts";
import { correlatedAssetsMechanisms, correlatedAssetsSimulations } from "./simulation.ts";

/** The payoff covariance: as given, or equicorrelated from assets, sigmaPi and assetCorrelation. */
export const covarianceOf = (p: ParameterPoint): readonly (readonly number[])[] =>
  list<readonly number[]>(p, "covariance") ?? equicorrelated(num(p, "assets"), num(p, "sigmaPi"), num(p, "assetCorrelation"));

/** Proposition 6: correlated payoffs, decorrelated into derivatives traded in their own auctions (first best). */
export const correlatedAssetsModel: ModelDefinition = {
  id: "correlated-assets",
  title: "Correlated assets (Section 6, Proposition 6)",
  parameters: [
    { spec: P.traders, default: 5 },
    { spec: P.kappa, default: 1 },
    { spec: P.sigmaE, default: 1 },
    { spec: P.covariance },
    { spec: P.assets, default: 2 },
    { spec: P.sigmaPi, default: 1 },
    { spec: P.assetCorrelation, default: 0.5 },
  ],
  frontier: false,
  theory(p) {
    const report = correlatedAssetsReport({
      traders: num(p, "traders"),
      kappa: num(p, "kappa"),
      sigmaE: num(p, "sigmaE"),
      covariance: covarianceOf(p),
    });
    return { json: report, text: correlatedAssetsTable(report) };
  },
  mechanisms: correlatedAssetsMechanisms,
  taskValues(p) {
    const r = correlatedAssetsReport({
      traders: num(p, "traders"),
      kappa: num(p, "kappa"),
      sigmaE: num(p, "sigmaE"),
      covariance: covarianceOf(p),
    });
    return { values: { firstBestHoldingCostPerTrader: r.firstBestHoldingCostPerTrader } };
  },
  simulations(p, mechanisms) {
    return correlatedAssetsSimulations(
      { traders: num(p, "traders"), kappa: num(p, "kappa"), sigmaE: num(p, "sigmaE"), covariance: covarianceOf(p) },
      selectMechanisms(this, mechanisms),
    );
  },
  ic: {
    defaultFee: "prop6",
    environment: (p, fee) => {
      const covariance = covarianceOf(p);
      // The joint best response searches R^k by Nelder-Mead: beyond 8 assets a market takes seconds.
      if (covariance.length > 8) throw new InputError(`optex ic --model correlated-assets: at most 8 assets, got ${covariance.length}`);
      return correlatedAssetsIcEnvironment(
        { traders: num(p, "traders"), kappa: num(p, "kappa"), sigmaE: num(p, "sigmaE"), covariance },
        fee,
      ) as never;
    },
  },
};
