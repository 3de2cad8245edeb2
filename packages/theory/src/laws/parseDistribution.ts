import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import type { Distribution } from "./distribution.ts";
import { exponential } from "./exponential.ts";
import { kernelDensity, laplace, lognormal, MIN_OBSERVATIONS, mixture, studentT } from "./moreLaws.ts";
import { normal } from "./normal.ts";
import { TheoryError } from "../theoryError.ts";
import { uniform } from "./uniform.ts";

const FAMILIES =
  "uniform:A,B (A < B), normal:MU,SIGMA (SIGMA > 0), exponential:RATE (RATE > 0), laplace:MU,B (B > 0), student-t:NU,MU,SIGMA (NU > 2, SIGMA > 0), lognormal:MU,SIGMA[,LOC] (0 < SIGMA <= 5), mixture:W1*LAW1+W2*LAW2+... (weights > 0 summing to 1) or empirical:PATH (one observation a line)";

/** Number of parameters of each family (a range for lognormal's optional location). */
const ARITY: Record<string, readonly [number, number]> = {
  uniform: [2, 2],
  normal: [2, 2],
  exponential: [1, 1],
  laplace: [2, 2],
  "student-t": [3, 3],
  lognormal: [2, 3],
};

/**
 * Parses a law: "uniform:-1,1", "normal:0,1", "exponential:1", "laplace:0,1", "student-t:5,0,1",
 * "lognormal:0,0.5,-1", "mixture:0.8*normal:0,0.5+0.2*normal:2.5,0.3" or "empirical:data.csv" (a file
 * of observations, read from the working directory, smoothed by a Gaussian kernel with Silverman's
 * bandwidth). Throws TheoryError with a one-line message naming the allowed forms, or the file and
 * line of a bad observation.
 */
export function parseDistribution(spec: string): Distribution {
  const match = /^\s*([a-z][a-z-]*)\s*:\s*(.*)$/is.exec(spec);
  if (!match) throw new TheoryError(`"${spec}" is not a distribution; expected ${FAMILIES}`);
  const family = match[1]!.toLowerCase();
  const body = match[2]!.trim();
  if (family === "mixture") return parseMixture(spec, body);
  if (family === "empirical") return empiricalLaw(body);
  const arity = ARITY[family];
  if (!arity) throw new TheoryError(`unknown distribution family "${family}"; expected ${FAMILIES}`);
  const parts = body.split(",").map((s) => s.trim());
  const numbers = parts.map((s) => (s === "" ? Number.NaN : Number(s)));
  if (numbers.length < arity[0] || numbers.length > arity[1] || numbers.some((x) => !Number.isFinite(x))) {
    const count = arity[0] === arity[1] ? `${arity[0]}` : `${arity[0]} or ${arity[1]}`;
    throw new TheoryError(`"${spec}" needs ${count} finite number${arity[1] > 1 ? "s" : ""}; expected ${FAMILIES}`);
  }
  const [a, b, c] = numbers as [number, number, number];
  switch (family) {
    case "uniform":
      return uniform(a, b);
    case "normal":
      return normal(a, b);
    case "exponential":
      return exponential(a);
    case "laplace":
      return laplace(a, b);
    case "student-t":
      return studentT(a, b, c);
    default:
      return lognormal(a, b, numbers.length === 3 ? c : 0);
  }
}

/** "W1*LAW1+W2*LAW2": split before each "+W*" (a law's own numbers may hold "e+5" but never "+W*"). */
function parseMixture(spec: string, body: string): Distribution {
  const parts = body.split(/\+(?=\s*(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?\s*\*)/i);
  const components = parts.map((part, i) => {
    const m = /^\s*((?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*\*\s*(.+)$/is.exec(part);
    if (!m) throw new TheoryError(`"${spec}": component ${i + 1} must be WEIGHT*LAW (e.g. 0.8*normal:0,1), got "${part.trim()}"`);
    let law: Distribution;
    try {
      law = parseDistribution(m[2]!);
    } catch (error) {
      throw new TheoryError(`"${spec}": component ${i + 1}: ${(error as Error).message}`);
    }
    return { weight: Number(m[1]), law };
  });
  try {
    return mixture(components, `mixture:${body}`);
  } catch (error) {
    throw new TheoryError(`"${spec}": ${(error as Error).message}`);
  }
}

const empiricalCache = new Map<string, { stamp: string; law: Distribution }>();

/** The kernel-smoothed law of a file's observations (cached while the file is unchanged). */
function empiricalLaw(path: string): Distribution {
  if (path === "") throw new TheoryError("empirical: needs a file, e.g. empirical:endowments.csv");
  const file = resolve(path);
  let stamp: string;
  try {
    const s = statSync(file);
    if (!s.isFile()) throw new TheoryError(`empirical:${path}: not a file`);
    stamp = `${s.size}/${s.mtimeMs}`;
  } catch (error) {
    if (error instanceof TheoryError) throw error;
    throw new TheoryError(`empirical:${path}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const cached = empiricalCache.get(file);
  if (cached?.stamp === stamp) return cached.law;
  const observations: number[] = [];
  readFileSync(file, "utf8")
    .split(/\r?\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) return;
      // A CSV row: its first field.
      const field = line.split(/[,;\t]/)[0]!.trim();
      const x = field === "" ? Number.NaN : Number(field);
      if (!Number.isFinite(x))
        throw new TheoryError(`empirical:${path}: line ${i + 1} is not a finite number: ${JSON.stringify(raw.slice(0, 40))}`);
      observations.push(x);
    });
  if (observations.length < MIN_OBSERVATIONS)
    throw new TheoryError(`empirical:${path}: ${observations.length} observations; at least ${MIN_OBSERVATIONS} are needed`);
  const law = kernelDensity(observations, { id: `empirical:${path}` });
  empiricalCache.set(file, { stamp, law });
  return law;
}
