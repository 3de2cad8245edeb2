export { basicMechanism, type BasicMechanism, type MechanismId, mechanismIds } from "./basicMechanism.ts";
export { agrees, type Estimate, estimate } from "./estimate.ts";
export { CHUNK_MARKETS, type MarketSamples, type MonteCarloSpec, type QuantityName, quantityNames, runMonteCarlo } from "./monteCarlo.ts";
export { type SimulationOptions, type SimulationReport, simulateBasic } from "./simulation.ts";
export { basicTheoryReport, type QuantitiesReport, type TheoryReport } from "./theoryReport.ts";
export { InputError } from "./inputError.ts";
export { buildProgram, main } from "./cli.ts";
