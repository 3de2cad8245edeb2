import type { Distribution } from "../laws/distribution.ts";
import { TheoryError } from "../theoryError.ts";

/** The basic model of Sections 3-4: N symmetric traders, holding capacity kappa, endowments iid F, payoff mean muPi. */
export interface BasicEnvironment {
  readonly dist: Distribution;
  readonly kappa: number;
  readonly traders: number;
  readonly muPi: number;
}

/** Validates and freezes a basic environment; throws TheoryError naming the bad field. */
export function basicEnvironment(env: { dist: Distribution; kappa: number; traders: number; muPi?: number }): BasicEnvironment {
  if (!(Number.isFinite(env.kappa) && env.kappa > 0)) throw new TheoryError(`kappa must be a finite number > 0, got ${env.kappa}`);
  if (!(Number.isInteger(env.traders) && env.traders >= 2)) throw new TheoryError(`traders must be an integer >= 2, got ${env.traders}`);
  const muPi = env.muPi ?? 0;
  if (!Number.isFinite(muPi)) throw new TheoryError(`muPi must be a finite number, got ${muPi}`);
  return Object.freeze({ dist: env.dist, kappa: env.kappa, traders: env.traders, muPi });
}
