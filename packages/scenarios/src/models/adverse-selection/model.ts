import { adverseSelectionSle, normal, optimalAdverseSelection, parseDistribution, sleInterimRules } from "@optex/theory";
import { adverseSelectionLawsReport, adverseSelectionReport } from "./report.ts";
import { adverseSelectionIcEnvironment } from "./ic.ts";
import { InputError } from "../../inputError.ts";
import { adverseSelectionLawsTable, adverseSelectionTable } from "../../output/tables.ts";
import { type InterimCurve, type ModelDefinition, num, optionalStr } from "../model.ts";
import { adverseSelectionLawsSimulations, adverseSelectionMechanisms, adverseSelectionSimulations } from "./simulation.ts";
import { parameterSpecs as P } from "../parameters.ts";

/**
 * Figure 4: interim allocation and transfer against the effective type t = e/kappa - zeta for
 * Theorem 3's optimal mechanism at alpha, the first best (alpha = 0) and the plain auction's SLE,
 * on equally spaced quantile levels of t (0.5% to 99.5%). Independent signals only (rho = 0).
 */
function adverseSelectionInterimCurves(
  p: { traders: number; kappa: number; muE: number; sigmaE: number; sigmaZeta: number; alpha: number },
  points: number,
): InterimCurve[] {
  const env = { traders: p.traders, kappa: p.kappa, muE: p.muE, sigmaE: p.sigmaE, sigmaZeta: p.sigmaZeta };
  const lawOfT = normal(p.muE / p.kappa, Math.sqrt(p.sigmaE ** 2 / p.kappa ** 2 + p.sigmaZeta ** 2));
  const x = Array.from({ length: points }, (_, k) => lawOfT.quantile(0.005 + (0.99 * k) / Math.max(1, points - 1)));
  const curve = (series: string, rules: { interimAllocation(t: number): number; interimTransfer(t: number): number }): InterimCurve => ({
    series,
    variable: "effective type t",
    x,
    allocation: x.map((t) => rules.interimAllocation(t)),
    transfer: x.map((t) => rules.interimTransfer(t)),
  });
  const curves = [
    curve("optimal", optimalAdverseSelection({ ...env, alpha: p.alpha })),
    curve("first-best", optimalAdverseSelection({ ...env, alpha: 0 })),
  ];
  if (adverseSelectionSle({ ...env, rho: 0 }).exists) curves.push(curve("double-auction", sleInterimRules({ ...env, rho: 0 })));
  return curves;
}

/** Section 5: private endowments and private signals about the payoff (Theorems 2-4, Proposition 5). */
export const adverseSelectionModel: ModelDefinition = {
  id: "adverse-selection",
  title: "Adverse selection (Section 5)",
  parameters: [
    { spec: P.traders, default: 5 },
    { spec: P.kappa, default: 1 },
    { spec: P.alpha, default: 0.5 },
    { spec: P.sigmaE, default: 1 },
    { spec: P.sigmaZeta, default: 0.5 },
    { spec: P.rho, default: 0 },
    { spec: P.muE, default: 0 },
    { spec: P.endowmentDist },
    { spec: P.signalDist },
  ],
  check(p) {
    if ((p.endowmentDist !== undefined || p.signalDist !== undefined) && num(p, "rho") !== 0) {
      throw new InputError("--endowment-dist and --signal-dist need independent signals (--rho 0): Theorem 3 is stated for them");
    }
  },
  frontier: true,
  theory(p, frontier) {
    const base = { traders: num(p, "traders"), kappa: num(p, "kappa"), alpha: num(p, "alpha") };
    const endowment = optionalStr(p, "endowmentDist");
    const signal = optionalStr(p, "signalDist");
    if (endowment !== undefined || signal !== undefined) {
      const report = adverseSelectionLawsReport(
        {
          ...base,
          endowment: endowment !== undefined ? parseDistribution(endowment) : normal(num(p, "muE"), num(p, "sigmaE")),
          signal: signal !== undefined ? parseDistribution(signal) : normal(0, num(p, "sigmaZeta")),
        },
        frontier,
      );
      return { json: report, text: adverseSelectionLawsTable(report) };
    }
    const report = adverseSelectionReport(
      { ...base, sigmaE: num(p, "sigmaE"), sigmaZeta: num(p, "sigmaZeta"), rho: num(p, "rho"), muE: num(p, "muE") },
      frontier,
    );
    return { json: report, text: adverseSelectionTable(report) };
  },
  mechanisms: adverseSelectionMechanisms,
  simulations(p, mechanisms) {
    const endowment = optionalStr(p, "endowmentDist");
    const signal = optionalStr(p, "signalDist");
    if (endowment !== undefined || signal !== undefined) {
      return adverseSelectionLawsSimulations(
        { traders: num(p, "traders"), kappa: num(p, "kappa"), alpha: num(p, "alpha") },
        {
          endowment: endowment !== undefined ? parseDistribution(endowment) : normal(num(p, "muE"), num(p, "sigmaE")),
          signal: signal !== undefined ? parseDistribution(signal) : normal(0, num(p, "sigmaZeta")),
        },
        mechanisms,
      );
    }
    const params = {
      traders: num(p, "traders"),
      kappa: num(p, "kappa"),
      muE: num(p, "muE"),
      sigmaE: num(p, "sigmaE"),
      sigmaZeta: num(p, "sigmaZeta"),
      rho: num(p, "rho"),
      alpha: num(p, "alpha"),
    };
    return adverseSelectionSimulations(params, mechanisms);
  },
  taskValues(p, interimPoints) {
    const env = {
      traders: num(p, "traders"),
      kappa: num(p, "kappa"),
      sigmaE: num(p, "sigmaE"),
      sigmaZeta: num(p, "sigmaZeta"),
      rho: num(p, "rho"),
      muE: num(p, "muE"),
      alpha: num(p, "alpha"),
    };
    const r = adverseSelectionReport(env);
    const da = r.doubleAuction;
    const curves = interimPoints > 0 && env.rho === 0 ? adverseSelectionInterimCurves(env, interimPoints) : undefined;
    return {
      values: {
        doubleAuctionA: da.a,
        doubleAuctionB: da.b,
        doubleAuctionC: da.c,
        doubleAuctionPriceImpact: da.priceImpact,
        doubleAuctionTotalHoldingCost: da.totalHoldingCost,
        existenceThreshold: r.existenceThreshold,
        optimalTA: r.optimal?.tA ?? null,
        optimalTB: r.optimal?.tB ?? null,
        revenuePerTrader: r.optimal?.revenuePerTrader ?? null,
        holdingCostPerTrader: r.optimal?.holdingCostPerTrader ?? null,
        utilityGainPerTrader: r.optimal?.utilityGainPerTrader ?? null,
      },
      ...(curves ? { interimCurves: curves } : {}),
    };
  },
  ic: {
    defaultFee: "prop5",
    environment: (p, fee) => {
      const endowment = optionalStr(p, "endowmentDist");
      const signal = optionalStr(p, "signalDist");
      if (endowment !== undefined || signal !== undefined) {
        return adverseSelectionIcEnvironment(
          {
            traders: num(p, "traders"),
            kappa: num(p, "kappa"),
            alpha: num(p, "alpha"),
            endowment: endowment !== undefined ? parseDistribution(endowment) : normal(num(p, "muE"), num(p, "sigmaE")),
            signal: signal !== undefined ? parseDistribution(signal) : normal(0, num(p, "sigmaZeta")),
          },
          fee,
        ) as never;
      }
      return adverseSelectionIcEnvironment(
        {
          traders: num(p, "traders"),
          kappa: num(p, "kappa"),
          muE: num(p, "muE"),
          sigmaE: num(p, "sigmaE"),
          sigmaZeta: num(p, "sigmaZeta"),
          alpha: num(p, "alpha"),
        },
        fee,
      ) as never;
    },
  },
};
