import { adverseSelectionModel } from "./adverse-selection/model.ts";
import { basicModel } from "./basic/model.ts";
import { correlatedAssetsModel } from "./correlated-assets/model.ts";
import { dynamicModel } from "./dynamic/model.ts";
import { feeEquilibriumModel } from "./fee-equilibrium/model.ts";
import { heterogeneousModel } from "./heterogeneous/model.ts";
import type { ModelDefinition } from "./model.ts";
import { multiAssetModel } from "./multi-asset/model.ts";
import type { ParameterSpec } from "./parameters.ts";

/** Every model, by id: adding a model is one folder and one line here. */
export const models: readonly ModelDefinition[] = [
  basicModel,
  heterogeneousModel,
  adverseSelectionModel,
  multiAssetModel,
  correlatedAssetsModel,
  dynamicModel,
  feeEquilibriumModel,
];

export const modelIds = models.map((m) => m.id);

/** The model registered under `id`; throws Error naming the ids for an unknown one. */
export function modelById(id: string): ModelDefinition {
  const m = models.find((x) => x.id === id);
  if (!m) throw new Error(`unknown model "${id}"; expected one of ${modelIds.join(", ")}`);
  return m;
}

/** Every parameter of every model, each once (the CLI declares one flag per parameter). */
export function allParameters(): ParameterSpec[] {
  const seen = new Map<string, ParameterSpec>();
  for (const m of models) for (const p of m.parameters) seen.set(p.spec.key, p.spec);
  return [...seen.values()];
}

/** Number of traders at a parameter point (one per law for heterogeneous traders): the Monte Carlo's cost per market. */
export function tradersOf(p: Readonly<Record<string, unknown>>): number {
  if (typeof p.traders === "number") return p.traders;
  if (Array.isArray(p.dists)) return p.dists.length;
  return 1;
}
