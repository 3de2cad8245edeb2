/** Per-trader expectations over all types (definitions: docs/quantities.md). */
export interface PerTraderExpectations {
  /** E[T_i], transfers including p q_i and any fee. */
  readonly revenuePerTrader: number;
  /** E[(e_i + X_i)^2] / (2 kappa): a level, not a change. */
  readonly holdingCostPerTrader: number;
  /** E[U(e_i + X_i, T_i) - U(e_i, 0)]. */
  readonly utilityGainPerTrader: number;
  /** E|X_i|. */
  readonly tradeVolumePerTrader: number;
}

/** Interim (conditional on own endowment e) and ex-ante quantities of one mechanism in the basic model. */
export interface MechanismOutcome extends PerTraderExpectations {
  /** Xhat(e) = E[X_i | e_i = e]. */
  interimAllocation(e: number): number;
  /** That(e) = E[T_i | e_i = e]. */
  interimTransfer(e: number): number;
  /** E[U(e + X_i, T_i) - U(e, 0) | e_i = e]. */
  interimUtilityGain(e: number): number;
  /** Holding cost at autarky, E[e^2]/(2 kappa). */
  readonly autarkyHoldingCostPerTrader: number;
}
