import { InvalidArgumentError } from "commander";
import { type Distribution, parseDistribution } from "@optex/theory";

/** Strict number: the whole string must be a finite decimal (Number("") is 0, so reject blanks). */
function toNumber(raw: string, what: string): number {
  const value = raw.trim() === "" ? Number.NaN : Number(raw);
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`${what} must be a finite number, got "${raw}"`);
  return value;
}

export const parseKappa = (raw: string): number => {
  const x = toNumber(raw, "kappa");
  if (!(x > 0)) throw new InvalidArgumentError(`kappa must be a number > 0, got ${raw}`);
  return x;
};

export const parseAlpha = (raw: string): number => {
  const x = toNumber(raw, "alpha");
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`alpha must be in [0, 1], got ${raw}`);
  return x;
};

export const parseMuPi = (raw: string): number => toNumber(raw, "mu-pi");

export const parseTraders = (raw: string): number => {
  const x = toNumber(raw, "traders");
  if (!(Number.isInteger(x) && x >= 2 && x <= 1e7)) throw new InvalidArgumentError(`traders must be an integer in [2, 10000000], got ${raw}`);
  return x;
};

export const parseMarkets = (raw: string): number => {
  const x = toNumber(raw, "markets");
  if (!(Number.isInteger(x) && x >= 1 && x <= 1e9)) throw new InvalidArgumentError(`markets must be an integer in [1, 1000000000], got ${raw}`);
  return x;
};

export const parseDist = (raw: string): Distribution => {
  try {
    return parseDistribution(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** Seeds are strings (seedrandom hashes them); reject blanks so "--seed ''" is not silently a seed. */
export const parseSeed = (raw: string): string => {
  if (raw.trim() === "") throw new InvalidArgumentError("seed must be a non-empty string");
  return raw;
};

export const logLevels = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export const parseLogLevel = (raw: string): string => {
  if (!(logLevels as readonly string[]).includes(raw)) throw new InvalidArgumentError(`log level must be one of ${logLevels.join(", ")}, got "${raw}"`);
  return raw;
};
