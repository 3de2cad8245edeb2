// @optex/scenarios: the models of the paper as markets, their Monte Carlo, the incentive-compatibility
// oracle, scenario sweeps and reports, and the optex CLI.

// --- Models: each environment of the paper, declared once (parameters, theory, simulations, IC) ---
/** A model's declaration and the helpers to resolve a parameter point from user input. */
export { type InterimCurve, type ModelDefinition, resolveParameters, type TaskValues, type TheoryOutput } from "./models/model.ts";
/** Every parameter of every model: CLI flag, range check, scenario-file field and JSON Schema in one spec. */
export { type ModelParameter, type ParameterPoint, type ParameterSpec, type ParameterValue, parameterSpecs } from "./models/parameters.ts";
/** The registry: every model by id; how many traders a parameter point has. */
export { modelById, modelIds, models, tradersOf } from "./models/registry.ts";
/** The basic model's mechanisms as markets (Section 4.4): bids, fee and theory of one mechanism, and its simulation. */
export {
  type BasicMechanism,
  basicMechanism,
  type BasicMechanismId,
  basicMechanisms,
  basicSimulation,
  type MarketPath,
} from "./models/basic/simulation.ts";
/** Theory reports of the models (what optex theory prints). */
export { basicTheoryReport, type QuantitiesReport, type TheoryReport } from "./models/basic/report.ts";
export { type AdverseSelectionReport, adverseSelectionReport } from "./models/adverse-selection/report.ts";
export { type HeterogeneousReport, heterogeneousReport } from "./models/heterogeneous/report.ts";
export { type MultiAssetReport, multiAssetReport } from "./models/multi-asset/report.ts";
export {
  type DynamicReport,
  type DynamicReportParams,
  type DynamicSweepRow,
  dynamicReport,
  formatDynamicReport,
} from "./models/dynamic/report.ts";

// --- Monte Carlo: any model's markets, summarised by seeded chunk moments ---
/** A mechanism as markets (MarketSimulation), its run against theory and the chunk-moment machinery behind it. */
export {
  type BlockDiagnostics,
  type MarketSimulation,
  mergeSimulationMoments,
  type QuantitySpec,
  runSimulation,
  SIMULATION_CHUNK_MARKETS,
  type SimulationMoments,
  type SimulationResult,
  simulationChunkCount,
  simulationChunkMoments,
  simulationResult,
} from "./montecarlo/marketSimulation.ts";
/** Student-t estimates of a mean and the 99% check against theory. */
export {
  agrees,
  type CheckStatistics,
  checkStatistics,
  type Estimate,
  estimate,
  estimateFromMoments,
  FAMILY_LEVEL,
  type FamilyVerdict,
  familyVerdict,
} from "./montecarlo/estimate.ts";
/** The basic model's batch fast path (linear books and the fee's feesInto). */
export {
  type MarketSamples,
  type MonteCarloSpec,
  type QuantityName,
  quantityNames,
  runBasicMarkets,
  runMonteCarlo,
} from "./models/basic/fastPath.ts";

// --- The incentive-compatibility oracle (optex ic and the law suite) ---
export {
  type IcEnvironment,
  type IcMarket,
  type LawOptions,
  type LawReport,
  type MarketOutcome,
  type ParticipationPoint,
  REGRET_TOLERANCE,
  runLaws,
} from "./ic/laws.ts";
export { icEnvironment, icModelIds, type IcRunOptions, runIc } from "./ic/icCommand.ts";
/** IC environments of the single-asset models (the others are reached through modelById(id).ic). */
export { basicIcEnvironment, heterogeneousIcEnvironment } from "./ic/singleAsset.ts";
/** fast-check arbitrary of reals uniform on an interval (fc.double draws bit patterns, not values). */
export { uniformReal } from "./ic/uniformReal.ts";

// --- Scenarios and sweeps ---
export { catalogue, paperScenarioIds } from "./sweeps/catalogue.ts";
export { parseScenario, type Scenario, scenarioJsonSchema } from "./sweeps/scenarioSchema.ts";
export { loadScenario } from "./sweeps/scenarioFiles.ts";
export { parseShard, type ScenarioTask, scenarioTasks, shardFromEnvironment } from "./sweeps/scenarioTasks.ts";
export { runTask, type TaskResult } from "./sweeps/runTask.ts";
export { mergeRuns, resultsCsv, type RunOptions, runScenario } from "./sweeps/runScenario.ts";

// --- Command line and errors ---
/** The optex CLI as a function (tests and embedding): main(argv) resolves to the exit code. */
export { buildProgram, type CliIO, main } from "./cli/cli.ts";
/** optex's version. */
export { OPTEX_VERSION } from "./version.ts";
/** The user's mistake (exit 2, one line), as opposed to an internal error. */
export { InputError } from "./inputError.ts";
