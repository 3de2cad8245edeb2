/** An error in what the user asked for (reported in one line, CLI exit code 2). */
export class InputError extends Error {
  override readonly name = "InputError";
}
