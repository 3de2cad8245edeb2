/**
 * Neumaier's compensated sum of `values`: the error is about one rounding of the
 * result instead of growing with the count, so budget identities can be tested tightly.
 * A non-finite input makes the result non-finite (Infinity or NaN, as plain addition would).
 * Throws nothing.
 * @example compensatedSum([1e16, 1, -1e16]) // 1 (naive summation gives 0)
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let compensation = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const t = sum + x;
    // Recover the low-order bits lost by whichever operand was smaller.
    if (Math.abs(sum) >= Math.abs(x)) compensation += sum - t + x;
    else compensation += x - t + sum;
    sum = t;
  }
  // Once the sum is infinite the compensation is NaN (Infinity - Infinity); keep the infinity.
  return Number.isFinite(sum) ? sum + compensation : sum;
}

/**
 * Running compensated (Neumaier) sum, for totals accumulated one term at a time.
 * Throws nothing.
 * @example const adder = new CompensatedAdder(); adder.add(1e16); adder.add(1); adder.add(-1e16); adder.value // 1
 */
export class CompensatedAdder {
  #sum = 0;
  #compensation = 0;

  /** Adds `x` to the total. Throws nothing. */
  add(x: number): void {
    const t = this.#sum + x;
    if (Math.abs(this.#sum) >= Math.abs(x)) this.#compensation += this.#sum - t + x;
    else this.#compensation += x - t + this.#sum;
    this.#sum = t;
  }

  /** The compensated total so far. Throws nothing. */
  get value(): number {
    return Number.isFinite(this.#sum) ? this.#sum + this.#compensation : this.#sum;
  }

  /** Sets the total back to 0. Throws nothing. */
  reset(): void {
    this.#sum = 0;
    this.#compensation = 0;
  }
}
