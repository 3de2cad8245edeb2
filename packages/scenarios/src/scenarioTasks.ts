import type { MechanismId } from "./basicMechanism.ts";
import { type Scenario, sweepKeys } from "./scenarioSchema.ts";

/** A parameter point of a sweep. */
export interface TaskParams {
  readonly dist: string;
  readonly kappa: number;
  readonly traders: number;
  readonly alpha: number;
  readonly muPi: number;
  readonly sigmaE: number;
  readonly sigmaZeta: number;
  readonly rho: number;
  readonly muE: number;
  readonly assets: number;
  readonly sigmaPi: number;
  readonly assetCorrelation: number;
  readonly delta: number;
  readonly dt: number;
  readonly sigma0: number;
  readonly sigmaZ: number;
  readonly dists?: readonly string[];
  readonly kappas?: readonly number[];
}

/** One unit of work: a parameter point and a mechanism (basic model) or the theory (other models). */
export interface ScenarioTask {
  readonly index: number;
  readonly model: Scenario["model"];
  readonly params: TaskParams;
  /** Basic model: the mechanism to simulate; other models: "theory" (with a Monte Carlo for correlated assets). */
  readonly mechanism: MechanismId | "theory";
  readonly markets: number;
  /** Interim curves on this many endowments (0: none). */
  readonly interimPoints: number;
  /** Derived from the scenario seed and the task index only, so results do not depend on scheduling. */
  readonly seed: string;
}

/**
 * The scenario's tasks in a fixed order: the Cartesian product of the sweep (keys in schema order,
 * values in file order) times the mechanisms.
 */
export function scenarioTasks(s: Scenario): ScenarioTask[] {
  const keys = sweepKeys.filter((k) => s.sweep[k] !== undefined);
  let points: Record<string, unknown>[] = [{ ...s.environment }];
  for (const key of keys) points = points.flatMap((p) => s.sweep[key]!.map((value) => ({ ...p, [key]: value })));
  const mechanisms: (MechanismId | "theory")[] = s.model === "basic" ? s.mechanisms : ["theory"];
  const tasks: ScenarioTask[] = [];
  for (const p of points) {
    const params: TaskParams = {
      dist: String(p.dist),
      kappa: Number(p.kappa),
      traders: Number(p.traders),
      alpha: Number(p.alpha),
      muPi: Number(p.muPi),
      sigmaE: Number(p.sigmaE),
      sigmaZeta: Number(p.sigmaZeta),
      rho: Number(p.rho),
      muE: Number(p.muE),
      assets: Number(p.assets),
      sigmaPi: Number(p.sigmaPi),
      assetCorrelation: Number(p.assetCorrelation),
      delta: Number(p.delta),
      dt: Number(p.dt),
      sigma0: Number(p.sigma0),
      sigmaZ: Number(p.sigmaZ),
      ...(p.dists ? { dists: p.dists as string[] } : {}),
      ...(p.kappas ? { kappas: p.kappas as number[] } : {}),
    };
    for (const mechanism of mechanisms) {
      const index = tasks.length;
      tasks.push({ index, model: s.model, params, mechanism, markets: s.model === "basic" || s.model === "correlated-assets" ? s.markets : 0, interimPoints: s.model === "basic" || s.model === "adverse-selection" ? s.interimPoints : 0, seed: `${s.seed}/task-${index}` });
    }
  }
  return tasks;
}

/** Parses "K/N" (1 <= K <= N): run every N-th task starting at the K-th. */
export function parseShard(spec: string): { k: number; n: number } {
  const m = /^(\d+)\/(\d+)$/.exec(spec.trim());
  const k = m ? Number(m[1]) : Number.NaN;
  const n = m ? Number(m[2]) : Number.NaN;
  if (!(Number.isInteger(k) && Number.isInteger(n) && n >= 1 && k >= 1 && k <= n)) throw new Error(`shard must be K/N with 1 <= K <= N, got "${spec}"`);
  return { k, n };
}
