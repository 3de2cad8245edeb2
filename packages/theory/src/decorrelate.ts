import { EigenvalueDecomposition, Matrix } from "ml-matrix";
import { TheoryError } from "./theoryError.ts";

/**
 * Proposition 6: derivative securities with uncorrelated payoffs that span the assets. With
 * Sigma = Q diag(lambda) Q^T (symmetric eigen-decomposition, ml-matrix), derivative a pays
 * (Q^T pi)_a, has payoff variance lambda_a, and a trader holding e of the assets holds Q^T e of the
 * derivatives; utility separates across derivatives, so derivative a is a basic market with
 * capacity kappa / lambda_a (MODEL.md section 7).
 * Throws TheoryError unless sigma is a symmetric positive-definite square matrix.
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
  if (variances.some((l) => !(l > 0))) throw new TheoryError("the payoff covariance must be positive definite");
  return { Q: evd.eigenvectorMatrix.to2DArray(), variances };
}
