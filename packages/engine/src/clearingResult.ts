import { compensatedSum } from "@optex/numerics";

/**
 * Outcome of uniform-price clearing (paper, Example 1 and Definition 4.1). `cleared`:
 * the unique price, each trader's quantity at it, and their compensated sum
 * (`imbalance`, 0 up to rounding or the root-finding tolerance). Otherwise there is no
 * trade and no transfer, and `reason` says why in one line.
 */
export type ClearingResult =
  | { readonly status: "cleared"; readonly price: number; readonly quantities: Float64Array; readonly imbalance: number }
  | { readonly status: "no-price" | "non-unique-price" | "invalid"; readonly reason: string };

/** A cleared result; -0 is normalised to 0. Internal. */
export function clearedResult(price: number, quantities: Float64Array): ClearingResult {
  return { status: "cleared", price: price + 0, quantities, imbalance: compensatedSum(quantities) };
}

/** A no-trade result with a one-line reason. Internal. */
export function failedResult(status: "no-price" | "non-unique-price" | "invalid", reason: string): ClearingResult {
  return { status, reason: oneLine(reason) };
}

/** Collapses whitespace so that reasons built from foreign messages stay on one line. Internal. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
