/** Fixed-width number for tables: 6 significant digits, exponent form when tiny or huge. */
export function fmt(x: number | null): string {
  if (x === null) return "n/a";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 1e-4 || a >= 1e6) return x.toExponential(4);
  return x.toPrecision(6);
}

/**
 * fmt, but a value within 1e-12 of `scale` (the size of the numbers it is printed among) is
 * rounding noise of an exact 0 and prints as "0".
 */
export function fmtAt(x: number | null, scale: number): string {
  return x !== null && Math.abs(x) <= 1e-12 * scale ? "0" : fmt(x);
}

/** Renders rows as a left-aligned text table with a header rule. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, j) => c.padEnd(widths[j]!))
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export const quantityLabels = {
  revenuePerTrader: "revenue per trader",
  holdingCostPerTrader: "holding cost per trader",
  utilityGainPerTrader: "utility gain per trader",
  tradeVolumePerTrader: "trade volume per trader",
} as const;

/**
 * JSON with a guard: a non-finite number would silently become null in JSON.stringify,
 * so it is an internal error instead.
 */
export function toJson(value: unknown): string {
  return JSON.stringify(
    value,
    (key, v) => {
      if (typeof v === "number" && !Number.isFinite(v)) throw new Error(`internal error: ${key} is ${v}`);
      return v;
    },
    2,
  );
}

/** A z-score for tables: two decimals, exponent form beyond 1e4, "inf" for a gap over a zero standard error. */
export function zText(z: number): string {
  if (Math.abs(z) >= 1e300) return z > 0 ? "inf" : "-inf";
  return Math.abs(z) >= 1e4 ? z.toExponential(1) : z.toFixed(2);
}
