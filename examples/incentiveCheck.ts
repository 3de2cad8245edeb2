// Is bidding one's virtual type a best response? The numerical best responder answers for one
// market, with and without the Proposition 3 fee.
import { bidOf, regretOf, truthfulBidder } from "@optex/agents";
import { noFee } from "@optex/engine";
import { prop3Fee } from "@optex/fees";
import { basicEnvironment, exponential, solveVirtualType } from "@optex/theory";
import seedrandom from "seedrandom";

const env = basicEnvironment({ dist: exponential(1), kappa: 1, traders: 5, muPi: 0 });
const vt = solveVirtualType(env.dist, 1); // Example 3's environment
const bidder = truthfulBidder(vt, env.kappa, env.muPi);
const rng = seedrandom.alea("incentives");
const endowments = Array.from({ length: env.traders }, () => env.dist.sample(rng));
const bids = endowments.map((e) => bidOf(bidder, e));

for (const [name, fee] of [
  ["Proposition 3 fee", prop3Fee(env, vt)],
  ["no fee", noFee],
] as const) {
  const problem = { endowment: endowments[0]!, kappa: env.kappa, muPi: env.muPi, others: bids.slice(1), fee, trader: 0 };
  const r = regretOf(problem, bids[0]!);
  console.log(
    `${name}: truthful bid buys ${r.prescribedQuantity.toFixed(6)}, best response buys ${r.best.quantity.toFixed(6)}, regret ${r.regret.toExponential(2)}`,
  );
}
