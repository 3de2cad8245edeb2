import type { Distribution } from "./distribution.ts";
import { exponential } from "./exponential.ts";
import { normal } from "./normal.ts";
import { TheoryError } from "../theoryError.ts";
import { uniform } from "./uniform.ts";

const FAMILIES = "uniform:A,B (A < B), normal:MU,SIGMA (SIGMA > 0) or exponential:RATE (RATE > 0)";

/**
 * Parses "uniform:-1,1", "normal:0,1" or "exponential:1".
 * Throws TheoryError with a one-line message naming the allowed forms.
 */
export function parseDistribution(spec: string): Distribution {
  const match = /^\s*([a-z]+)\s*:\s*(.*)$/i.exec(spec);
  if (!match) throw new TheoryError(`"${spec}" is not a distribution; expected ${FAMILIES}`);
  const family = match[1]!.toLowerCase();
  const parts = match[2]!.split(",").map((s) => s.trim());
  const numbers = parts.map((s) => (s === "" ? Number.NaN : Number(s)));
  const arity = family === "exponential" ? 1 : family === "uniform" || family === "normal" ? 2 : -1;
  if (arity < 0) throw new TheoryError(`unknown distribution family "${family}"; expected ${FAMILIES}`);
  if (numbers.length !== arity || numbers.some((x) => !Number.isFinite(x))) {
    throw new TheoryError(`"${spec}" needs ${arity} finite number${arity > 1 ? "s" : ""}; expected ${FAMILIES}`);
  }
  if (family === "uniform") return uniform(numbers[0]!, numbers[1]!);
  if (family === "normal") return normal(numbers[0]!, numbers[1]!);
  return exponential(numbers[0]!);
}
