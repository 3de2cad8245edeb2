import { NumericsError } from "@optex/numerics";

/**
 * Raised when a theoretical quantity cannot be computed; the message is one line naming the cause.
 * A NumericsError (root finding or quadrature that cannot return a value, thrown by the
 * @optex/numerics routines the theory calls) is a TheoryError too: `error instanceof TheoryError`
 * holds for both, so callers that turn theory failures into user errors see every one of them.
 */
export class TheoryError extends Error {
  override readonly name = "TheoryError";

  static override [Symbol.hasInstance](value: unknown): boolean {
    return value instanceof NumericsError || Function.prototype[Symbol.hasInstance].call(TheoryError, value);
  }
}
