/** Raised when a theoretical quantity cannot be computed; the message is one line naming the cause. */
export class TheoryError extends Error {
  override readonly name = "TheoryError";
}
