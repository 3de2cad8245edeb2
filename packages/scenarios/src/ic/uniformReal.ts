import fc from "fast-check";

/** Steps of the uniform grid: fine enough that no test depends on the grid, coarse enough to shrink quickly. */
const STEPS = 2 ** 24;

/**
 * Reals in [min, max], uniform on a grid of 2^24 steps, plus the two ends now and then. fc.double is
 * uniform over bit patterns, so on [0, 1] it draws mostly values like 1e-200 (alpha would be 0 in
 * almost every case); this gives a test the spread its name promises. Shrinks towards min.
 */
export function uniformReal(min: number, max: number): fc.Arbitrary<number> {
  return fc.oneof(
    {
      arbitrary: fc.noBias(fc.integer({ min: 0, max: STEPS })).map((i) => (i === STEPS ? max : min + ((max - min) * i) / STEPS)),
      weight: 9,
    },
    { arbitrary: fc.constantFrom(min, max), weight: 1 },
  );
}
