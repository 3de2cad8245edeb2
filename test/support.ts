import { type Distribution, exponential, normal, uniform } from "@optex/theory";
import { uniformReal } from "@optex/scenarios";
import fc from "fast-check";

export { uniformReal };

/** Arbitrary laws from the supported families, with parameters in ranges a user would try. */
export const distributionArbitrary: fc.Arbitrary<Distribution> = fc.oneof(
  fc.tuple(uniformReal(-3, 3), uniformReal(0.2, 4)).map(([a, w]) => uniform(a, a + w)),
  fc.tuple(uniformReal(-2, 2), uniformReal(0.2, 3)).map(([mu, s]) => normal(mu, s)),
  uniformReal(0.3, 3).map((rate) => exponential(rate)),
);

/** Seeds for fast-check: pinned so CI runs the same cases; override with FC_SEED to explore. */
export const fcSeed = Number(process.env.FC_SEED ?? 20261127);

/** Sample mean and half-width of its 99.9% normal interval (the theory tests' helper). */
export { meanWithHalfWidth as meanAndHalfWidth } from "../packages/theory/src/testSupport.ts";
