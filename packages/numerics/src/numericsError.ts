/**
 * Raised when a numerical routine cannot return a value for its arguments: a bad option, a
 * bracket without a sign change, a non-finite integrand, no convergence within the allowed
 * work. The message is one line starting with the routine's name. A RangeError, so code
 * written against the routines' earlier RangeErrors keeps working.
 */
export class NumericsError extends RangeError {
  override readonly name = "NumericsError";
}
