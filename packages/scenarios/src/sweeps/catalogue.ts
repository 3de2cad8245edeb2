import { parseScenario, type Scenario } from "./scenarioSchema.ts";

/** Built-in scenarios reproducing the paper (sizes chosen to finish in seconds on 2 cores). */
const raw: unknown[] = [
  {
    id: "paper-figure-1",
    title: "Interim allocation and transfer, U[-1,1], N = 5 (optimal at alpha = 0.5, first best, plain auction)",
    paper: "Figure 1",
    environment: { dist: "uniform:-1,1", traders: 5, alpha: 0.5 },
    interimPoints: 81,
    markets: 0,
  },
  {
    id: "paper-figure-2",
    title: "Revenue and holding cost per trader against N, U[-1,1]",
    paper: "Figure 2",
    environment: { dist: "uniform:-1,1", alpha: 1 },
    sweep: { traders: [3, 5, 10, 20, 50] },
    markets: 4000,
  },
  {
    id: "paper-figure-3",
    title: "Revenue-efficiency frontier, U[-1,1], N = 10",
    paper: "Figure 3",
    environment: { dist: "uniform:-1,1", traders: 10 },
    mechanisms: ["optimal"],
    sweep: { alpha: [0, 0.2, 0.4, 0.6, 0.8, 1] },
    markets: 4000,
  },
  {
    id: "paper-example-3",
    title: "Exponential endowments, alpha = 1",
    paper: "Example 3",
    environment: { dist: "exponential:1", alpha: 1, traders: 4 },
    markets: 8000,
  },
  {
    id: "paper-proposition-2",
    title: "Revenue, holding cost and gain scale with (N-1)/N; gain falls in alpha",
    paper: "Proposition 2",
    environment: { dist: "normal:0,1" },
    mechanisms: ["optimal"],
    sweep: { traders: [2, 4, 8], alpha: [0.25, 0.75] },
    markets: 4000,
  },
  {
    id: "paper-figure-4",
    title:
      "Adverse selection: interim allocation and transfer against the effective type as sigma_zeta grows (optimal at alpha = 0.5, first best, plain auction)",
    paper: "Figure 4",
    model: "adverse-selection",
    environment: { traders: 5, sigmaE: 1, alpha: 0.5 },
    sweep: { sigmaZeta: [0, 0.5, 1] },
    interimPoints: 61,
    markets: 0,
  },
  {
    id: "paper-figure-5",
    title: "Adverse selection: the revenue-efficiency frontier as sigma_zeta grows (Gaussian, rho = 0)",
    paper: "Figure 5, Proposition 4",
    model: "adverse-selection",
    environment: { traders: 5, sigmaE: 1 },
    sweep: { alpha: [0, 0.25, 0.5, 0.75, 1], sigmaZeta: [0, 0.5, 1, 1.5] },
    mechanisms: ["optimal"],
    markets: 2000,
  },
  {
    id: "paper-proposition-4",
    title: "Adverse selection: noisier signals widen the binding region and lower efficiency (alpha = 0.5)",
    paper: "Proposition 4",
    model: "adverse-selection",
    environment: { traders: 6, sigmaE: 1, alpha: 0.5 },
    sweep: { sigmaZeta: [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3] },
    mechanisms: ["optimal"],
    markets: 2000,
  },
  {
    id: "paper-theorem-2",
    title: "Plain double auction with correlated signals: coefficients, price impact, efficiency and existence",
    paper: "Theorem 2",
    model: "adverse-selection",
    environment: { traders: 5, sigmaE: 1, sigmaZeta: 0.4 },
    sweep: { rho: [0, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95] },
    mechanisms: ["double-auction", "robust"],
    markets: 4000,
  },
  {
    id: "paper-figure-6",
    title: "Several assets: radius of the binding ball and revenue against alpha (k = 2, 3)",
    paper: "Figure 6, Proposition 7",
    model: "multi-asset",
    environment: { traders: 4, sigmaE: 1.5, sigmaPi: 1 },
    sweep: { alpha: [0, 0.25, 0.5, 0.75, 1], assets: [2, 3] },
    markets: 4000,
  },
  {
    id: "paper-proposition-6",
    title:
      "Correlated assets: separate auctions of uncorrelated derivatives reach efficiency with no regret; per-asset auctions invite joint deviations",
    paper: "Proposition 6",
    model: "correlated-assets",
    environment: { traders: 5, assets: 3, sigmaE: 1, sigmaPi: 1 },
    sweep: { assetCorrelation: [-0.3, 0, 0.3, 0.6, 0.9] },
    markets: 1500,
  },
  {
    id: "paper-proposition-9",
    title: "Heterogeneous traders (Gaussian, zero means): gains against alpha",
    paper: "Proposition 9",
    model: "heterogeneous",
    environment: { dists: ["normal:0,0.5", "normal:0,1", "normal:0,2"], kappas: [1, 2, 3] },
    sweep: { alpha: [0, 0.25, 0.5, 0.75, 1] },
    markets: 4000,
  },
  {
    id: "paper-proposition-12",
    title:
      "Dynamics: budget surplus of the efficient double auction with fees against the auction interval, with and without renewed shocks",
    paper: "Proposition 12",
    model: "dynamic",
    environment: { traders: 5, kappa: 1, delta: 0.1, sigma0: 1 },
    sweep: { dt: [8, 4, 2, 1, 0.5, 0.25], sigmaZ: [0, 0.5, 1] },
    markets: 500,
  },
  {
    id: "mechanisms-benchmark",
    title: "Optimal fee design vs first best vs plain double auction",
    environment: { dist: "uniform:-1,1" },
    sweep: { traders: [3, 10], alpha: [0.25, 1], dist: ["uniform:-1,1", "normal:0,1"] },
    markets: 3000,
  },
];

export const catalogue: readonly Scenario[] = raw.map((s, i) => parseScenario(s, `catalogue[${i}]`));

/** The scenarios `optex run paper` runs. */
export const paperScenarioIds = catalogue.filter((s) => s.id.startsWith("paper-")).map((s) => s.id);
