/**
 * A transaction-fee rule for one asset: fee(trader, q, p) is what trader `trader` pays
 * on top of p * q when it trades q at the clearing price p. Must be pure and
 * deterministic (no hidden state), so that settlements are reproducible. The engine
 * knows no fee formula; fee modules implement this interface.
 */
export interface FeeSchedule {
  readonly id: string;
  fee(trader: number, q: number, p: number): number;
  /**
   * Declared batch fast path: out[i] = fee(i, quantities[i], p) for every trader of one market,
   * in one monomorphic loop (Monte Carlo). Must agree with fee() (a test checks each module).
   */
  feesInto?(quantities: Float64Array, p: number, out: Float64Array): void;
}

/**
 * The plain double auction: no fee. Throws nothing.
 * @example noFee.fee(0, 3, 1.5) // 0
 */
export const noFee: FeeSchedule = Object.freeze({
  id: "none",
  fee: (): number => 0,
});
