// The revenue-efficiency frontier of the basic model (Figure 3 of the paper) from theory alone:
// for each weight alpha, revenue and holding cost per trader of Theorem 1's optimal mechanism.
import { basicEnvironment, doubleAuctionOutcome, optimalMechanismOutcome, solveVirtualType, uniform } from "@optex/theory";

const env = basicEnvironment({ dist: uniform(-1, 1), kappa: 1, traders: 10 });
console.log("alpha  revenue/trader  holding cost/trader");
for (let k = 0; k <= 10; k++) {
  const alpha = k / 10;
  const o = optimalMechanismOutcome(env, solveVirtualType(env.dist, alpha));
  console.log(`${alpha.toFixed(1)}    ${o.revenuePerTrader.toFixed(6)}        ${o.holdingCostPerTrader.toFixed(6)}`);
}
const da = doubleAuctionOutcome(env)!;
console.log(`plain double auction: revenue ${da.revenuePerTrader.toFixed(6)}, holding cost ${da.holdingCostPerTrader.toFixed(6)}`);
