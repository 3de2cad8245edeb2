import { basicEnvironment, parseDistribution } from "@optex/theory";
import { basicMechanism } from "./basicMechanism.ts";
import { agrees, estimate } from "./estimate.ts";
import { type QuantityName, quantityNames, runMonteCarlo } from "./monteCarlo.ts";
import type { ScenarioTask } from "./scenarioTasks.ts";

/** A finished task: deterministic given the task (no timings), so result files are byte-identical across runs. */
export interface TaskResult {
  readonly index: number;
  readonly params: ScenarioTask["params"];
  readonly mechanism: ScenarioTask["mechanism"];
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  readonly theory?: Record<QuantityName, number>;
  readonly simulated?: Record<QuantityName, { mean: number; ci99: [number, number] | null }> | null;
  readonly agreement?: Record<QuantityName, boolean | null> | null;
}

/** Theory for the task's mechanism and, when markets > 0, its Monte Carlo (seeded by the task). */
export function runTask(task: ScenarioTask): TaskResult {
  const { params, mechanism } = task;
  const env = basicEnvironment({ dist: parseDistribution(params.dist), kappa: params.kappa, traders: params.traders, muPi: params.muPi });
  let m: ReturnType<typeof basicMechanism>;
  try {
    m = basicMechanism(mechanism, env, params.alpha);
  } catch (error) {
    return { index: task.index, params, mechanism, status: "unavailable", reason: (error as Error).message.split("\n")[0]! };
  }
  const theory = Object.fromEntries(quantityNames.map((q) => [q, m.theory[q]])) as Record<QuantityName, number>;
  if (task.markets === 0) return { index: task.index, params, mechanism, status: "ok", theory, simulated: null, agreement: null };
  const samples = runMonteCarlo({ env, strategy: m.strategy, fee: m.fee, markets: task.markets, seed: task.seed });
  const sigma = Math.sqrt(env.dist.variance);
  const Q = Math.abs(env.dist.mean) + sigma + env.kappa * Math.abs(env.muPi);
  const resolution = 8 * Number.EPSILON * env.traders * ((2 * Q * Q) / env.kappa);
  const simulated = {} as Record<QuantityName, { mean: number; ci99: [number, number] | null }>;
  const agreement = {} as Record<QuantityName, boolean | null>;
  for (const q of quantityNames) {
    const est = estimate(samples[q]);
    simulated[q] = { mean: est.mean, ci99: est.ci99 };
    agreement[q] = agrees(theory[q], est, resolution);
  }
  return { index: task.index, params, mechanism, status: "ok", theory, simulated, agreement };
}
