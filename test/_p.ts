import { basicEnvironment, uniform } from "@optex/theory";
import { basicMechanism } from "../packages/scenarios/src/basicMechanism.ts";
import { runMonteCarlo } from "../packages/scenarios/src/monteCarlo.ts";
const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 10 });
const mm = basicMechanism("optimal", env, 0.5);
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  runMonteCarlo({ env, strategy: mm.strategy, fee: mm.fee, markets: 1_000_000, seed: "p" });
  console.log((1e7 / ((performance.now() - t) / 1000) / 1e6).toFixed(1), "M/s");
}
