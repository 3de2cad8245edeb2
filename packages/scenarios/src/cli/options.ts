import { InvalidArgumentError } from "commander";
import { type Distribution, parseAlphaGrid, parseDistribution } from "@optex/theory";

/** A decimal number: digits with an optional point and exponent (no hex, binary, octal or blanks). */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Strict number: the whole string must be a finite decimal (Number accepts "", "0x10" and "1_0" in places). */
function toNumber(raw: string, what: string): number {
  const value = DECIMAL.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!Number.isFinite(value)) throw new InvalidArgumentError(`${what} must be a finite number, got "${raw}"`);
  return value;
}

// Bounds keep every product of the model far from overflow and underflow in double precision.
export const parseKappa = (raw: string): number => {
  const x = toNumber(raw, "kappa");
  if (!(x > 0)) throw new InvalidArgumentError(`kappa must be a number > 0, got ${raw}`);
  if (!(x >= 1e-9 && x <= 1e9)) throw new InvalidArgumentError(`kappa must be in [1e-9, 1e9], got ${raw}`);
  return x;
};

export const parseAlpha = (raw: string): number => {
  const x = toNumber(raw, "alpha");
  if (!(x >= 0 && x <= 1)) throw new InvalidArgumentError(`alpha must be in [0, 1], got ${raw}`);
  return x;
};

// Prices enter the schedules' intercepts (kappa mu_pi), so a huge mu_pi would round the quantities.
export const parseMuPi = (raw: string): number => {
  const x = toNumber(raw, "mu-pi");
  if (!(Math.abs(x) <= 1e6)) throw new InvalidArgumentError(`mu-pi must be in [-1e6, 1e6], got ${raw}`);
  return x;
};

export const parseTraders = (raw: string): number => {
  const x = toNumber(raw, "traders");
  if (!(Number.isInteger(x) && x >= 2 && x <= 1e7))
    throw new InvalidArgumentError(`traders must be an integer in [2, 10000000], got ${raw}`);
  return x;
};

export const parseMarkets = (raw: string): number => {
  const x = toNumber(raw, "markets");
  if (!(Number.isInteger(x) && x >= 1 && x <= 1e9))
    throw new InvalidArgumentError(`markets must be an integer in [1, 1000000000], got ${raw}`);
  return x;
};

export const parseDist = (raw: string): Distribution => {
  let dist: Distribution;
  try {
    dist = parseDistribution(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
  const sd = Math.sqrt(dist.variance);
  if (!(sd >= 1e-9 && sd <= 1e9 && Math.abs(dist.mean) <= Math.min(1e9, 1e9 * sd))) {
    throw new InvalidArgumentError(`"${raw}" has mean ${dist.mean} and sd ${sd}; need sd in [1e-9, 1e9] and |mean| <= min(1e9, 1e9 sd)`);
  }
  return dist;
};

/** Seeds are strings (seedrandom hashes them); reject blanks so "--seed ''" is not silently a seed. */
export const parseSeed = (raw: string): string => {
  if (raw.trim() === "") throw new InvalidArgumentError("seed must be a non-empty string");
  return raw;
};

export const logLevels = ["silent", "fatal", "error", "warn", "info", "debug", "trace"] as const;
export const parseLogLevel = (raw: string): string => {
  if (!(logLevels as readonly string[]).includes(raw))
    throw new InvalidArgumentError(`log level must be one of ${logLevels.join(", ")}, got "${raw}"`);
  return raw;
};

export const parseFrontier = (raw: string): number[] => {
  try {
    return parseAlphaGrid(raw);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
};

/** "normal:0,0.5;normal:0,1" -> one law per trader (at least 2). */
export const parseDists = (raw: string): Distribution[] => {
  const parts = raw
    .split(";")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (parts.length < 2) throw new InvalidArgumentError(`need at least 2 laws separated by ';', got "${raw}"`);
  return parts.map((p, i) => {
    try {
      return parseDist(p);
    } catch (error) {
      throw new InvalidArgumentError(`law ${i + 1}: ${(error as Error).message}`);
    }
  });
};

/** "1,2,3" -> one holding capacity per trader. */
export const parseKappas = (raw: string): number[] =>
  raw.split(",").map((s, i) => {
    try {
      return parseKappa(s);
    } catch (error) {
      throw new InvalidArgumentError(`kappa ${i + 1}: ${(error as Error).message}`);
    }
  });

export const parseSigma =
  (name: string, zeroAllowed: boolean) =>
  (raw: string): number => {
    const x = toNumber(raw, name);
    // The same range as a law's sd (1e-9 to 1e9); 0 where the model allows no noise at all.
    const ok = (zeroAllowed && x === 0) || (x >= 1e-9 && x <= 1e9);
    if (!ok) throw new InvalidArgumentError(`${name} must be ${zeroAllowed ? "0 or " : ""}a number in [1e-9, 1e9], got ${raw}`);
    return x;
  };

export const parseRho = (raw: string): number => {
  const x = toNumber(raw, "rho");
  if (!(x >= 0 && x < 1)) throw new InvalidArgumentError(`rho must be in [0, 1), got ${raw}`);
  return x;
};

export const parseMuE = (raw: string): number => {
  const x = toNumber(raw, "mu-e");
  if (!(Math.abs(x) <= 1e9)) throw new InvalidArgumentError(`mu-e must be in [-1e9, 1e9], got ${raw}`);
  return x;
};

export const parseAssets = (raw: string): number => {
  const x = toNumber(raw, "assets");
  if (!(Number.isInteger(x) && x >= 1 && x <= 1000)) throw new InvalidArgumentError(`assets must be an integer in [1, 1000], got ${raw}`);
  return x;
};

/** Dynamics: discount rate and auction interval; bounded so that exp(delta dt) and 1/delta^2 stay finite. */
export const parsePositiveIn =
  (name: string, lo: number, hi: number) =>
  (raw: string): number => {
    const x = toNumber(raw, name);
    if (!(x >= lo && x <= hi)) throw new InvalidArgumentError(`${name} must be a number in [${lo}, ${hi}], got ${raw}`);
    return x;
  };

export const parseDts = (raw: string): number[] =>
  raw.split(",").map((s, i) => {
    try {
      return parsePositiveIn("dt", 1e-9, 1e6)(s);
    } catch (error) {
      throw new InvalidArgumentError(`dts ${i + 1}: ${(error as Error).message}`);
    }
  });

/** A payoff covariance "a,b;c,d": rows separated by ';', entries by ','. */
export const parseCovariance = (raw: string): number[][] => {
  const rows = raw.split(";").map((row, i) =>
    row.split(",").map((x, j) => {
      const v = x.trim() === "" ? Number.NaN : Number(x);
      if (!(Number.isFinite(v) && Math.abs(v) <= 1e9))
        throw new InvalidArgumentError(`covariance entry (${i + 1}, ${j + 1}) must be a finite number in [-1e9, 1e9], got "${x}"`);
      return v;
    }),
  );
  if (rows.some((r) => r.length !== rows.length))
    throw new InvalidArgumentError(
      `covariance must be a square matrix (rows separated by ';'), got ${rows.map((r) => r.length).join(", ")} entries in ${rows.length} rows`,
    );
  return rows;
};

export const parseAssetCorrelation = (raw: string): number => {
  const x = toNumber(raw, "asset-correlation");
  if (!(x > -1 && x < 1)) throw new InvalidArgumentError(`asset-correlation must be in (-1, 1), got ${raw}`);
  return x;
};
