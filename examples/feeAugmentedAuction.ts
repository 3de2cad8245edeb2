// A researcher's script: the double auction with the Proposition 3 fee, run market by market
// through the public API (agents bid, the engine clears and settles), against Theorem 1's revenue.
import { bidOf, truthfulBidder } from "@optex/agents";
import { clear, settle } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import { basicEnvironment, normal, optimalMechanismOutcome, solveVirtualType, utilityGain } from "@optex/theory";
import seedrandom from "seedrandom";
import { mean, sampleStandardDeviation } from "simple-statistics";

const env = basicEnvironment({ dist: normal(0, 1), kappa: 2, traders: 8, muPi: 0.1 });
const alpha = 0.6;
const vt = solveVirtualType(env.dist, alpha); // Theorem 1
const fee = prop3Fee(env, vt); // Proposition 3
const bidder = truthfulBidder(vt, env.kappa, env.muPi);
const theory = optimalMechanismOutcome(env, vt);

const rng = seedrandom.alea("example");
const markets = 20_000;
const revenuePerTrader: number[] = [];
const gainPerTrader: number[] = [];
for (let m = 0; m < markets; m++) {
  const endowments = Array.from({ length: env.traders }, () => env.dist.sample(rng));
  const schedules = endowments.map((e) => bidOf(bidder, e));
  const outcome = settle(clear(schedules), env.traders, fee, {
    utilityGain: (i, x, t) => utilityGain(endowments[i]!, x, t, env.kappa, env.muPi),
  });
  revenuePerTrader.push(outcome.revenue / env.traders);
  gainPerTrader.push(outcome.utilityGains!.reduce((s, g) => s + g, 0) / env.traders);
}

const report = (name: string, xs: number[], expected: number) => {
  const se = sampleStandardDeviation(xs) / Math.sqrt(xs.length);
  const m = mean(xs);
  console.log(`${name}: simulated ${m.toFixed(5)} +- ${(2.576 * se).toFixed(5)} (99%), theory ${expected.toFixed(5)}`);
};
console.log(
  `${env.dist.id}, N = ${env.traders}, kappa = ${env.kappa}, alpha = ${alpha}: participation binds on [${vt.eA.toFixed(4)}, ${vt.eB.toFixed(4)}]`,
);
report("revenue per trader", revenuePerTrader, theory.revenuePerTrader);
report("utility gain per trader", gainPerTrader, theory.utilityGainPerTrader);
