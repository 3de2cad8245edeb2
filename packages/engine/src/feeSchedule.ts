/**
 * A transaction-fee rule for one asset: fee(trader, q, p) is what trader `trader` pays
 * on top of p * q when it trades q at the clearing price p. Must be pure and
 * deterministic (no hidden state), so that settlements are reproducible. The engine
 * knows no fee formula; fee modules implement this interface.
 */
export interface FeeSchedule {
  readonly id: string;
  fee(trader: number, q: number, p: number): number;
}

/**
 * The plain double auction: no fee. Throws nothing.
 * @example noFee.fee(0, 3, 1.5) // 0
 */
export const noFee: FeeSchedule = Object.freeze({
  id: "none",
  fee: (): number => 0,
});
