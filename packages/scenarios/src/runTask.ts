import { adverseSelectionSle, basicEnvironment, type Distribution, dynamicDoubleAuction, type MechanismOutcome, normal, optimalAdverseSelection, parseDistribution, sleInterimRules } from "@optex/theory";
import { adverseSelectionReport } from "./adverseSelectionReport.ts";
import { heterogeneousReport } from "./heterogeneousReport.ts";
import { multiAssetReport } from "./multiAssetReport.ts";
import { checkCorrelatedAssets, correlatedAssets } from "./correlatedAssets.ts";
import { basicMechanism, type MechanismId, simulatedMechanism } from "./basicMechanism.ts";
import { agrees, estimateFromMoments } from "./estimate.ts";
import { simulationResolution } from "./simulation.ts";
import { type ChunkMoments, chunkCount, mergeChunkMoments, monteCarloChunkMoments, type QuantityName, quantityNames } from "./monteCarlo.ts";
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
  /** Theory inside the simulated 99% interval, per quantity (basic model: every QuantityName). */
  readonly agreement?: Readonly<Record<string, boolean | null>> | null;
  /**
   * Basic model with markets: markets without a unique clearing price (no trade, no transfer) and
   * the largest |sum_i X_i| / (1 + sum_i |X_i|) of a market (the exchange property, ~1e-16).
   */
  readonly monteCarlo?: { readonly markets: number; readonly noTradeMarkets: number; readonly worstExchangeImbalance: number };
  /** Theory-only models: named results (null where the theory says none exists). */
  readonly values?: Record<string, number | null>;
  /** Models other than basic: theory against simulation, one row per checked quantity. */
  readonly checks?: readonly { readonly quantity: string; readonly theory: number; readonly simulated: number; readonly ci99: [number, number] | null; readonly pass: boolean | null }[];
  /** Interim allocation and transfer on a grid of endowments (Figure 1). */
  readonly interim?: { readonly endowment: number[]; readonly allocation: number[]; readonly transfer: number[] };
  /** Theory-only models: interim rules of several mechanisms on a grid of the type variable (Figure 4: effective type t). */
  readonly interimCurves?: readonly { readonly series: string; readonly variable: string; readonly x: number[]; readonly allocation: number[]; readonly transfer: number[] }[];
}

/** Theory for the task's mechanism and, when markets > 0, its Monte Carlo (seeded by the task). */
export function runTask(task: ScenarioTask): TaskResult {
  if (!isSplittable(task)) return task.mechanism === "theory" ? theoryTask(task) : basicTaskHead(task);
  const head = basicTaskHead(task);
  if (head.status !== "ok") return head;
  return finishTask(task, head, runTaskChunks(task, 0, chunkCount(task.markets)));
}

/**
 * Whether the task's Monte Carlo can run in pieces (chunk ranges, on any workers): basic-model
 * tasks with markets. The pieces' moments, merged in chunk order by finishTask with the head
 * (basicTaskHead), give the same bytes as runTask.
 */
export function isSplittable(task: ScenarioTask): boolean {
  return task.mechanism !== "theory" && task.markets > 0;
}

/**
 * A basic-model task without its Monte Carlo: theory and interim curves, or why the mechanism is
 * unavailable. Complete (simulated: null) when the task has no markets.
 */
export function basicTaskHead(task: ScenarioTask): TaskResult {
  const { params } = task;
  const mechanism = task.mechanism as MechanismId;
  const env = taskEnvironment(task);
  let m: ReturnType<typeof basicMechanism>;
  try {
    m = basicMechanism(mechanism, env, params.alpha);
  } catch (error) {
    return { index: task.index, params, mechanism, status: "unavailable", reason: (error as Error).message.split("\n")[0]! };
  }
  // The task's chunks (here or on this worker) simulate these bids and fee: built once.
  if (task.markets > 0) rememberSimulation(task, { env, strategy: m.strategy, fee: m.fee });
  const theory = Object.fromEntries(quantityNames.map((q) => [q, m.theory[q]])) as Record<QuantityName, number>;
  const interim = task.interimPoints > 0 ? interimCurves(m.theory, env.dist, task.interimPoints) : undefined;
  if (task.markets === 0) return { index: task.index, params, mechanism, status: "ok", theory, simulated: null, agreement: null, ...(interim ? { interim } : {}) };
  return { index: task.index, params, mechanism, status: "ok", theory, ...(interim ? { interim } : {}) };
}

/** Chunks first..end-1 of a splittable task's Monte Carlo, summarised (see monteCarloChunkMoments). */
export function runTaskChunks(task: ScenarioTask, first: number, end: number): ChunkMoments[] {
  const { env, strategy, fee } = cachedSimulation(task);
  return monteCarloChunkMoments({ env, strategy, fee, markets: task.markets, seed: task.seed }, first, end);
}

/** The result of a splittable task from its head and all its chunks' moments in chunk order. */
export function finishTask(task: ScenarioTask, head: TaskResult, chunks: readonly ChunkMoments[]): TaskResult {
  if (head.status !== "ok") return head;
  const merged = mergeChunkMoments(chunks);
  const markets = merged.moments.revenuePerTrader.markets;
  if (markets !== task.markets) throw new Error(`task ${task.index}: ${markets} of ${task.markets} markets summarised (chunks missing)`);
  const resolution = simulationResolution(taskEnvironment(task));
  const simulated = {} as Record<QuantityName, { mean: number; ci99: [number, number] | null }>;
  const agreement = {} as Record<QuantityName, boolean | null>;
  for (const q of quantityNames) {
    const { mean, m2 } = merged.moments[q];
    const est = estimateFromMoments(markets, mean, m2);
    simulated[q] = { mean: est.mean, ci99: est.ci99 };
    agreement[q] = agrees(head.theory![q], est, resolution);
  }
  const { interim, ...rest } = head;
  const monteCarlo = { markets, noTradeMarkets: merged.noTradeMarkets, worstExchangeImbalance: merged.worstImbalance };
  return { ...rest, simulated, agreement, monteCarlo, ...(interim ? { interim } : {}) };
}

function taskEnvironment(task: ScenarioTask) {
  const p = task.params;
  return basicEnvironment({ dist: parseDistribution(p.dist), kappa: p.kappa, traders: p.traders, muPi: p.muPi });
}

/**
 * Bids and fee per task, kept for the task's next chunks: a fee's tables take about 15 ms to build
 * and a worker runs a task's chunks in several pieces. A few entries suffice: tasks are fed in order.
 */
type Simulation = ReturnType<typeof simulatedMechanism> & { env: ReturnType<typeof taskEnvironment> };
const simulations = new Map<string, Simulation>();
const simulationKey = (task: ScenarioTask) => JSON.stringify([task.mechanism, task.params]);
function rememberSimulation(task: ScenarioTask, entry: Simulation): void {
  const key = simulationKey(task);
  simulations.delete(key);
  if (simulations.size >= 4) simulations.delete(simulations.keys().next().value!);
  simulations.set(key, entry);
}
function cachedSimulation(task: ScenarioTask): Simulation {
  const entry = simulations.get(simulationKey(task));
  if (entry) return entry;
  const env = taskEnvironment(task);
  const built = { env, ...simulatedMechanism(task.mechanism as MechanismId, env, task.params.alpha) };
  rememberSimulation(task, built);
  return built;
}

/**
 * Figure 4: interim allocation and transfer against the effective type t = e/kappa - zeta for
 * Theorem 3's optimal mechanism at alpha, the first best (alpha = 0) and the plain auction's SLE,
 * on equally spaced quantile levels of t (0.5% to 99.5%). Independent signals only (rho = 0).
 */
function adverseSelectionInterimCurves(p: ScenarioTask["params"], points: number) {
  const env = { traders: p.traders, kappa: p.kappa, muE: p.muE, sigmaE: p.sigmaE, sigmaZeta: p.sigmaZeta };
  if (p.rho !== 0) return undefined;
  const lawOfT = normal(p.muE / p.kappa, Math.sqrt(p.sigmaE ** 2 / p.kappa ** 2 + p.sigmaZeta ** 2));
  const x = Array.from({ length: points }, (_, k) => lawOfT.quantile(0.005 + (0.99 * k) / Math.max(1, points - 1)));
  const curve = (series: string, rules: { interimAllocation(t: number): number; interimTransfer(t: number): number }) => ({
    series,
    variable: "effective type t",
    x,
    allocation: x.map((t) => rules.interimAllocation(t)),
    transfer: x.map((t) => rules.interimTransfer(t)),
  });
  const curves = [curve("optimal", optimalAdverseSelection({ ...env, alpha: p.alpha })), curve("first-best", optimalAdverseSelection({ ...env, alpha: 0 }))];
  if (adverseSelectionSle({ ...env, rho: 0 }).exists) curves.push(curve("double-auction", sleInterimRules({ ...env, rho: 0 })));
  return curves;
}

/** Interim rules on equally spaced quantile levels of the law (the support's 0.5% to 99.5%). */
function interimCurves(o: MechanismOutcome, dist: Distribution, points: number) {
  const endowment = Array.from({ length: points }, (_, k) => dist.quantile(0.005 + (0.99 * k) / Math.max(1, points - 1)));
  return { endowment, allocation: endowment.map((e) => o.interimAllocation(e)), transfer: endowment.map((e) => o.interimTransfer(e)) };
}

/** Tasks of the adverse-selection, multi-asset, heterogeneous and dynamic models (theory) and of correlated assets (theory and Monte Carlo). */
function theoryTask(task: ScenarioTask): TaskResult {
  const p = task.params;
  const base = { index: task.index, params: p, mechanism: task.mechanism } as const;
  try {
    if (task.model === "adverse-selection") {
      const r = adverseSelectionReport({ traders: p.traders, kappa: p.kappa, sigmaE: p.sigmaE, sigmaZeta: p.sigmaZeta, rho: p.rho, muE: p.muE, alpha: p.alpha });
      const da = r.doubleAuction;
      const curves = task.interimPoints > 0 ? adverseSelectionInterimCurves(p, task.interimPoints) : undefined;
      return {
        ...base,
        status: "ok",
        ...(curves ? { interimCurves: curves } : {}),
        values: {
          doubleAuctionA: da.a,
          doubleAuctionB: da.b,
          doubleAuctionC: da.c,
          doubleAuctionPriceImpact: da.priceImpact,
          doubleAuctionTotalHoldingCost: da.totalHoldingCost,
          existenceThreshold: r.existenceThreshold,
          optimalTA: r.optimal?.tA ?? null,
          optimalTB: r.optimal?.tB ?? null,
          revenuePerTrader: r.optimal?.revenuePerTrader ?? null,
          holdingCostPerTrader: r.optimal?.holdingCostPerTrader ?? null,
          utilityGainPerTrader: r.optimal?.utilityGainPerTrader ?? null,
        },
      };
    }
    if (task.model === "multi-asset") {
      const r = multiAssetReport({ assets: p.assets, traders: p.traders, kappa: p.kappa, sigmaE: p.sigmaE, sigmaPi: p.sigmaPi, alpha: p.alpha });
      return { ...base, status: "ok", values: { radius: r.radius, feeC: r.fee.c, revenuePerTrader: r.revenuePerTrader, holdingCostPerTrader: r.holdingCostPerTrader, utilityGainPerTrader: r.utilityGainPerTrader } };
    }
    if (task.model === "correlated-assets") {
      const params = { traders: p.traders, kappa: p.kappa, assets: p.assets, sigmaE: p.sigmaE, sigmaPi: p.sigmaPi, assetCorrelation: p.assetCorrelation };
      if (task.markets === 0) {
        checkCorrelatedAssets(params);
        return { ...base, status: "ok", values: { firstBestHoldingCostPerTrader: (p.assets * p.sigmaPi ** 2 * p.sigmaE ** 2) / (2 * p.kappa * p.traders) } };
      }
      const r = correlatedAssets(params, task.markets, task.seed);
      const ci = r.simulatedHoldingCostCi99;
      const pass = ci ? r.firstBestHoldingCostPerTrader >= ci[0] && r.firstBestHoldingCostPerTrader <= ci[1] : null;
      return {
        ...base,
        status: "ok",
        values: {
          firstBestHoldingCostPerTrader: r.firstBestHoldingCostPerTrader,
          largestAllocationError: r.largestAllocationError,
          derivativesMeanRegret: r.derivativesMeanRegret,
          assetAuctionsMeanRegret: r.assetAuctionsMeanRegret,
        },
        agreement: { holdingCostPerTrader: pass },
        checks: [{ quantity: "holdingCostPerTrader (derivatives' auctions vs first best)", theory: r.firstBestHoldingCostPerTrader, simulated: r.simulatedHoldingCostPerTrader, ci99: ci, pass }],
      };
    }
    if (task.model === "dynamic") {
      const d = dynamicDoubleAuction({ traders: p.traders, kappa: p.kappa, delta: p.delta, dt: p.dt, muE: p.muE, sigma0: p.sigma0, sigmaZ: p.sigmaZ });
      return {
        ...base,
        status: "ok",
        values: {
          feeC: d.feeC,
          priceImpact: d.priceImpact,
          participationChargePerTrader: d.perTrader.participationCharge,
          npvSubsidies: d.total.npvSubsidies,
          chargeRevenue: d.total.chargeRevenue,
          budgetSurplus: d.total.budgetSurplus,
          continuousBudgetSurplus: d.continuousLimit.budgetSurplus,
          npvGainsFromTrade: d.total.npvGainsFromTrade,
        },
      };
    }
    if (task.model === "heterogeneous") {
      if (!p.dists || !p.kappas) return { ...base, status: "unavailable", reason: "the heterogeneous model needs environment.dists and environment.kappas" };
      const r = heterogeneousReport(p.dists.map((d) => parseDistribution(d)), p.kappas, p.alpha, p.muPi);
      const values: Record<string, number | null> = { totalRevenue: r.totals.revenue, totalHoldingCost: r.totals.holdingCost, totalUtilityGain: r.totals.utilityGain };
      r.traders.forEach((t, i) => {
        values[`trader${i + 1}Revenue`] = t.revenue;
        values[`trader${i + 1}UtilityGain`] = t.utilityGain;
        values[`trader${i + 1}BindingWidth`] = t.eB - t.eA;
      });
      return { ...base, status: "ok", values };
    }
    return { ...base, status: "unavailable", reason: `the ${task.model} model has no theory in optex yet` };
  } catch (error) {
    return { ...base, status: "unavailable", reason: (error as Error).message.split("\n")[0]! };
  }
}
