import { type Distribution, exponential, normal, uniform } from "@optex/theory";
import fc from "fast-check";

/** Arbitrary laws from the supported families, with parameters in ranges a user would try. */
export const distributionArbitrary: fc.Arbitrary<Distribution> = fc.oneof(
  fc
    .tuple(fc.double({ min: -3, max: 3, noNaN: true }), fc.double({ min: 0.2, max: 4, noNaN: true }))
    .map(([a, w]) => uniform(a, a + w)),
  fc.tuple(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.2, max: 3, noNaN: true })).map(([mu, s]) => normal(mu, s)),
  fc.double({ min: 0.3, max: 3, noNaN: true }).map((rate) => exponential(rate)),
);

/** Seeds for fast-check: pinned so CI runs the same cases; override with FC_SEED to explore. */
export const fcSeed = Number(process.env.FC_SEED ?? 20261127);

/** Sample mean and half-width of its 99.9% normal interval (the theory tests' helper). */
export { meanWithHalfWidth as meanAndHalfWidth } from "../packages/theory/src/testSupport.ts";
