import { normal, parseDistribution } from "@optex/theory";
import { adverseSelectionLawsReport, adverseSelectionReport } from "../../adverseSelectionReport.ts";
import { adverseSelectionIcEnvironment } from "../../ic/adverseSelection.ts";
import { InputError } from "../../inputError.ts";
import { adverseSelectionLawsTable, adverseSelectionTable } from "../../tables.ts";
import { type ModelDefinition, num, optionalStr } from "../model.ts";
import { parameterSpecs as P } from "../parameters.ts";

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
    const report = adverseSelectionReport({ ...base, sigmaE: num(p, "sigmaE"), sigmaZeta: num(p, "sigmaZeta"), rho: num(p, "rho"), muE: num(p, "muE") }, frontier);
    return { json: report, text: adverseSelectionTable(report) };
  },
  mechanisms: ["optimal", "double-auction", "robust"],
  ic: {
    defaultFee: "prop5",
    environment: (p, fee) =>
      adverseSelectionIcEnvironment(
        { traders: num(p, "traders"), kappa: num(p, "kappa"), muE: num(p, "muE"), sigmaE: num(p, "sigmaE"), sigmaZeta: num(p, "sigmaZeta"), alpha: num(p, "alpha") },
        fee,
      ) as never,
  },
};
