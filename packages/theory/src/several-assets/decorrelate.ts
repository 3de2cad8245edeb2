import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { TheoryError } from "../theoryError.ts";

/** Largest ratio of the payoff covariance's largest to smallest eigenvalue that optex accepts. */
export const MAX_COVARIANCE_CONDITION = 1e10;

/**
 * Proposition 6: derivative securities with uncorrelated payoffs that span the assets. With
 * Sigma = Q diag(lambda) Q^T (symmetric eigen-decomposition, ml-matrix), derivative a pays
 * (Q^T pi)_a, has payoff variance lambda_a, and a trader holding e of the assets holds Q^T e of the
 * derivatives; utility separates across derivatives, so derivative a is a basic market with
 * capacity kappa / lambda_a (docs/environments/multi-asset.md).
 * Throws TheoryError unless sigma is a symmetric positive-definite square matrix with condition
 * number at most MAX_COVARIANCE_CONDITION.
 */
export function decorrelate(sigma: readonly (readonly number[])[]): { readonly Q: number[][]; readonly variances: number[] } {
  const k = sigma.length;
  if (k < 1 || sigma.some((row) => row.length !== k || row.some((x) => !Number.isFinite(x))))
    throw new TheoryError("the payoff covariance must be a square matrix of finite numbers");
  const m = new Matrix(sigma.map((row) => [...row]));
  for (let a = 0; a < k; a++)
    for (let b = 0; b < a; b++)
      if (Math.abs(m.get(a, b) - m.get(b, a)) > 1e-12 * (Math.abs(m.get(a, b)) + 1))
        throw new TheoryError("the payoff covariance must be symmetric");
  const evd = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  const variances = evd.realEigenvalues;
  const largest = variances.reduce((a, l) => Math.max(a, Math.abs(l)), 0);
  const smallest = variances.reduce((a, l) => Math.min(a, l), Infinity);
  // A derivative's capacity is kappa / lambda: a nearly singular covariance makes one of them
  // astronomically large and its allocation pure rounding, so it is refused like a singular one.
  if (!(smallest > 0) || largest / smallest > MAX_COVARIANCE_CONDITION) {
    const condition = smallest > 0 ? (largest / smallest).toExponential(2) : "infinite (singular)";
    throw new TheoryError(
      `the payoff covariance must be positive definite with condition number at most 1e10; its condition number is ${condition}`,
    );
  }
  return { Q: evd.eigenvectorMatrix.to2DArray(), variances };
}
