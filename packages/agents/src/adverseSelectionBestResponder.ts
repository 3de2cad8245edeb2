import { type DemandSchedule, evaluateSchedule, type FeeSchedule } from "@optex/engine";
import {
  type BestResponse,
  type BestResponseOptions,
  type BestResponseProblem,
  bestResponse,
  payoffOfQuantity,
  payoffOfSchedule,
  type Regret,
  regretOf,
} from "./bestResponder.ts";

/**
 * What a trader with endowment e and signal zeta faces in Section 5.3's market (E[pi | all signals] =
 * sum_j zeta_j): the others' realised schedules, the fee, and her inference from the residual supply.
 */
export interface AdverseSelectionProblem {
  readonly endowment: number;
  /** zeta_i, her posterior mean of her own share of pi. */
  readonly signal: number;
  readonly kappa: number;
  /** Schedules of the other traders. */
  readonly others: readonly DemandSchedule[];
  readonly fee: FeeSchedule;
  /** The trader's index, passed to the fee. */
  readonly trader: number;
  /**
   * E[sum_{j != i} zeta_j | the others' aggregate schedule], under the strategies she believes the
   * others play: the news in the residual supply (see othersSignalFromIntercept for linear bids).
   */
  othersSignal(others: readonly DemandSchedule[]): number;
}

/**
 * E[pi | zeta_i, residual supply] = zeta_i + othersSignal(others). It is the same at every point of the
 * residual supply: there the price moves only with her own quantity, which she knows, so a different
 * point of it carries no news (inferring as if the price were exogenous would double count her own
 * impact).
 */
export function posteriorPayoffMean(problem: AdverseSelectionProblem): number {
  return problem.signal + problem.othersSignal(problem.others);
}

/**
 * The standard of optimality. The trader's gain from buying q at transfer T is pi q - T - ((e+q)^2 -
 * e^2)/(2 kappa), linear in pi, so at a point of the residual supply her expected gain given what
 * she knows there (her type and the residual supply, which under the prescribed strategies reveals
 * S = sum_{j != i} v(t_j)) is the private-values gain with mu_pi replaced by E[pi | zeta_i, S]. A
 * schedule is a best response iff at every realised residual supply its clearing point maximises
 * that: no regret after seeing the price (each price is one residual supply, her own schedule being
 * known to her), which by iterated expectations also maximises the interim payoff E[. | e, zeta]
 * over schedules. Not ex post in the others' signals: she never sees them and no schedule can be
 * optimal for each of their values; not interim with the prior mean of pi, which would ignore the
 * price's news (the winner's curse). So this reduces to the private-values best responder.
 */
export function asPrivateValues(problem: AdverseSelectionProblem): BestResponseProblem {
  return {
    endowment: problem.endowment,
    kappa: problem.kappa,
    muPi: posteriorPayoffMean(problem),
    others: problem.others,
    fee: problem.fee,
    trader: problem.trader,
  };
}

/** Expected gain (given her signal and the residual supply) of buying q along the residual supply. */
export function adverseSelectionPayoffOfQuantity(problem: AdverseSelectionProblem, q: number): { payoff: number; price: number | null } {
  return payoffOfQuantity(asPrivateValues(problem), q);
}

/** Expected gain of submitting `schedule`, the whole book cleared and settled by the engine. */
export function adverseSelectionPayoffOfSchedule(
  problem: AdverseSelectionProblem,
  schedule: DemandSchedule,
): { payoff: number; quantity: number; price: number | null } {
  return payoffOfSchedule(asPrivateValues(problem), schedule);
}

/** Numerical best point of the residual supply (grid scan plus Brent refinement, as bestResponse). */
export function adverseSelectionBestResponse(problem: AdverseSelectionProblem, options: BestResponseOptions = {}): BestResponse {
  return bestResponse(asPrivateValues(problem), options);
}

/** Regret of `prescribed` given the realised others: best point minus the prescribed schedule's clearing point. */
export function adverseSelectionRegret(
  problem: AdverseSelectionProblem,
  prescribed: DemandSchedule,
  options: BestResponseOptions = {},
): Regret {
  return regretOf(asPrivateValues(problem), prescribed, options);
}

/**
 * The inference for others bidding q_j(p) = -v(t_j) - kappa p (Proposition 5's truthful bids, or
 * the plain auction with the same bids): their aggregate demand at p = 0 is -S, S = sum_{j != i}
 * v(t_j), and psi(S) = E[sum_{j != i} zeta_j | S] (e.g. Prop5Fee.othersSignal).
 * @example const infer = othersSignalFromIntercept(fee.othersSignal)
 */
export function othersSignalFromIntercept(psi: (S: number) => number): (others: readonly DemandSchedule[]) => number {
  return (others) => {
    let S = 0;
    for (const s of others) S -= evaluateSchedule(s, 0);
    return psi(S);
  };
}
