import { describe, expect, test } from "vitest";
import { optex, cli } from "./run.ts";

describe("optex theory", () => {
  test("--json prints the contract's fields (U[-1,1] closed forms)", async () => {
    const r = optex("theory", "--dist", "uniform:-1,1", "--kappa", "1", "--alpha", "0.5", "--traders", "5", "--json");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.eA).toBeCloseTo(-1 / 3, 10);
    expect(j.eB).toBeCloseTo(1 / 3, 10);
    expect(j.meanVirtualType).toBeCloseTo(0, 10);
    expect(j.condition1Holds).toBe(true);
    expect(j.fee.c).toBeCloseTo(-0.25, 14);
    expect(typeof j.fee.d).toBe("number");
    for (const key of ["optimal", "firstBest", "doubleAuction"]) {
      for (const q of ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader", "tradeVolumePerTrader"])
        expect(Number.isFinite(j[key][q])).toBe(true);
    }
    expect(j.optimal.revenuePerTrader).toBeCloseTo((0.8 * 0.5) / (3 * 1.5 ** 2), 10);
    expect(r.stdout.trim().startsWith("{")).toBe(true);
  });
  test("N = 2: doubleAuction is null with a reason", async () => {
    const j = JSON.parse((await cli("theory", "--traders", "2", "--json")).stdout);
    expect(j.doubleAuction).toBeNull();
    expect(j.doubleAuctionReason).toMatch(/no symmetric linear equilibrium/);
  });
  test("normal and exponential laws, mu_pi defaults to 0", async () => {
    const n = JSON.parse((await cli("theory", "--dist", "normal:1,2", "--json")).stdout);
    expect(n.meanVirtualType).toBeCloseTo(1, 9);
    expect(n.muPi).toBe(0);
    const e = JSON.parse((await cli("theory", "--dist", "exponential:1", "--alpha", "1", "--json")).stdout);
    expect(e.meanVirtualType).toBeCloseTo(0.86814, 5);
  });
  test("--frontier adds the revenue-efficiency frontier; --model basic is accepted", async () => {
    const j = JSON.parse((await cli("theory", "--model", "basic", "--frontier", "0:1:0.25", "--json")).stdout);
    expect(j.frontier.map((f: { alpha: number }) => f.alpha)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    for (const f of j.frontier) for (const k of ["revenuePerTrader", "holdingCostPerTrader"]) expect(Number.isFinite(f[k])).toBe(true);
    expect(j.frontier[2].revenuePerTrader).toBeCloseTo(j.optimal.revenuePerTrader, 12);
  });
  test("--model heterogeneous: traders in input order with eA, eB, flatLevel, meanVirtualType, revenue, fee; totals", async () => {
    const r = await cli(
      "theory",
      "--model",
      "heterogeneous",
      "--dists",
      "normal:0,0.5;normal:0,1;normal:0,2",
      "--kappas",
      "1,2,3",
      "--alpha",
      "0.5",
      "--json",
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.traders.map((t: { dist: string }) => t.dist)).toEqual(["normal:0,0.5", "normal:0,1", "normal:0,2"]);
    for (const t of j.traders) {
      for (const k of ["eA", "eB", "flatLevel", "meanVirtualType", "revenue"]) expect(Number.isFinite(t[k])).toBe(true);
      expect(Number.isFinite(t.fee.c) && Number.isFinite(t.fee.d)).toBe(true);
    }
    // Corollary 5.1 (zero means): binding regions scale with sigma_i, flat levels are 0.
    expect(j.traders[2].eB / j.traders[1].eB).toBeCloseTo(2, 10);
    expect(j.traders[0].fee.c).toBeCloseTo(-1 / 5, 14);
    expect(j.totals.revenue).toBeCloseTo(
      j.traders.reduce((s: number, t: { revenue: number }) => s + t.revenue, 0),
      12,
    );
    // The plain double auction's point beside the frontier: no revenue, and less efficient than the first best.
    expect(j.doubleAuction.exists).toBe(true);
    expect(Math.abs(j.doubleAuction.totals.revenue)).toBeLessThan(1e-12);
    const firstBest = JSON.parse(
      (
        await cli(
          "theory",
          "--model",
          "heterogeneous",
          "--dists",
          "normal:0,0.5;normal:0,1;normal:0,2",
          "--kappas",
          "1,2,3",
          "--alpha",
          "0",
          "--json",
        )
      ).stdout,
    );
    expect(j.doubleAuction.totals.holdingCost).toBeGreaterThan(firstBest.totals.holdingCost);
  });
  test("--model adverse-selection: SLE, existence threshold and Theorem 3 (null with a reason when rho != 0)", async () => {
    const args = [
      "theory",
      "--model",
      "adverse-selection",
      "--traders",
      "5",
      "--kappa",
      "1",
      "--sigma-e",
      "1",
      "--sigma-zeta",
      "0.5",
      "--alpha",
      "0.5",
      "--json",
    ];
    const correlated = JSON.parse((await cli(...args, "--rho", "0.3")).stdout);
    for (const k of ["a", "b", "c", "priceImpact", "totalHoldingCost"]) expect(Number.isFinite(correlated.doubleAuction[k])).toBe(true);
    expect(correlated.doubleAuction.exists).toBe(true);
    expect(correlated.optimal).toBeNull();
    expect(correlated.optimalReason).toMatch(/independent signals/);
    const independent = JSON.parse((await cli(...args, "--rho", "0")).stdout);
    // Theorem 2 part 1 at rho = 0, N = 5: threshold sqrt(t/(1-t)) with t = 3/8.
    expect(independent.existenceThreshold).toBeCloseTo(Math.sqrt(0.375 / 0.625), 9);
    expect(correlated.existenceThreshold).toBeGreaterThan(independent.existenceThreshold);
    for (const k of ["tA", "tB", "meanVirtualType", "revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader"])
      expect(Number.isFinite(independent.optimal[k])).toBe(true);
    const withFrontier = JSON.parse((await cli(...args, "--rho", "0", "--frontier", "0:1:0.5")).stdout);
    expect(withFrontier.frontier.map((f: { alpha: number }) => f.alpha)).toEqual([0, 0.5, 1]);
    expect(withFrontier.frontier[1].revenuePerTrader).toBeCloseTo(independent.optimal.revenuePerTrader, 12);
    const none = JSON.parse((await cli(...args, "--sigma-zeta", "2")).stdout);
    expect(none.doubleAuction.exists).toBe(false);
    expect(none.doubleAuction.a).toBeNull();
    // Theorem 4's robust mechanism: independent signals are its worst case; at rho = 0 it is the first best of Theorem 3.
    const withRho = JSON.parse((await cli(...args, "--rho", "0.3")).stdout);
    expect(withRho.robust.holdingCostPerTrader).toBeLessThan(withRho.robust.worstCase.holdingCostPerTrader);
    const firstBest = JSON.parse((await cli(...args, "--rho", "0", "--alpha", "0")).stdout);
    expect(firstBest.robust.holdingCostPerTrader).toBeCloseTo(firstBest.optimal.holdingCostPerTrader, 12);
    expect(firstBest.robust.revenuePerTrader).toBeCloseTo(firstBest.optimal.revenuePerTrader, 12);
  });
  test("--model multi-asset: radius, fee c, per-trader revenue and holding cost summed over assets", async () => {
    const j = JSON.parse(
      (
        await cli(
          "theory",
          "--model",
          "multi-asset",
          "--assets",
          "3",
          "--sigma-e",
          "1.5",
          "--sigma-pi",
          "1.5",
          "--traders",
          "4",
          "--kappa",
          "1",
          "--alpha",
          "0.5",
          "--json",
        )
      ).stdout,
    );
    expect(j.radius).toBeGreaterThan(0);
    expect(j.fee.c).toBeCloseTo(-(1.5 ** 2) / 3, 14);
    for (const k of ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader"]) expect(Number.isFinite(j[k])).toBe(true);
    const two = JSON.parse(
      (await cli("theory", "--model", "multi-asset", "--assets", "2", "--sigma-e", "1.5", "--alpha", "0.5", "--json")).stdout,
    );
    expect(two.radius).toBeCloseTo(Math.sqrt(0.5) * 1.5, 12);
  });
  test("--model adverse-selection with other laws: Theorem 3 by convolution (Gaussian laws reproduce the closed form)", async () => {
    const args = ["theory", "--model", "adverse-selection", "--traders", "5", "--kappa", "1.2", "--alpha", "0.6", "--json"];
    const closed = JSON.parse((await cli(...args, "--sigma-e", "1", "--sigma-zeta", "0.5")).stdout);
    const conv = JSON.parse((await cli(...args, "--endowment-dist", "normal:0,1", "--signal-dist", "normal:0,0.5")).stdout);
    for (const k of ["tA", "tB", "revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader"])
      expect(conv.optimal[k]).toBeCloseTo(closed.optimal[k], 7);
    expect(conv.doubleAuction).toMatchObject({ exists: false });
    const uniformLaws = JSON.parse((await cli(...args, "--endowment-dist", "uniform:-1,1", "--signal-dist", "uniform:-0.3,0.3")).stdout);
    expect(uniformLaws.optimal.tB).toBeGreaterThan(0);
    expect(uniformLaws.endowmentLaw).toBe("uniform:-1,1");
    const e = await cli(...args, "--signal-dist", "uniform:-1,1", "--rho", "0.2");
    expect(e.status).toBe(2);
    expect(e.stderr).toMatch(/need independent signals/);
  });
  test("--model correlated-assets: Proposition 6's derivatives, their capacities and fees, and the first best", async () => {
    const r = await cli(
      "theory",
      "--model",
      "correlated-assets",
      "--covariance",
      "2,0.8,-0.3;0.8,1.5,0.4;-0.3,0.4,1",
      "--traders",
      "5",
      "--kappa",
      "1.3",
      "--sigma-e",
      "0.8",
      "--json",
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    // Sigma = sum_a variance_a w_a w_a^T, and each derivative's fee is -variance/((N-1) kappa).
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const back = j.derivatives.reduce(
          (s: number, d: { variance: number; weights: number[] }) => s + d.variance * d.weights[a]! * d.weights[b]!,
          0,
        );
        expect(back).toBeCloseTo(j.covariance[a][b], 12);
      }
    }
    for (const d of j.derivatives) {
      expect(d.capacity).toBeCloseTo(1.3 / d.variance, 12);
      expect(d.fee.c).toBeCloseTo(-d.variance / (4 * 1.3), 12);
    }
    expect(j.separateAssetAuctionsIncentiveCompatible).toBe(false);
    // Against the simulation of the derivatives' auctions (equicorrelated case).
    const eq = JSON.parse(
      (
        await cli(
          "theory",
          "--model",
          "correlated-assets",
          "--assets",
          "3",
          "--sigma-pi",
          "1.2",
          "--asset-correlation",
          "0.5",
          "--traders",
          "5",
          "--kappa",
          "1.3",
          "--sigma-e",
          "0.8",
          "--json",
        )
      ).stdout,
    );
    const sim = JSON.parse(
      (
        await cli(
          "simulate",
          "--model",
          "correlated-assets",
          "--assets",
          "3",
          "--sigma-pi",
          "1.2",
          "--asset-correlation",
          "0.5",
          "--traders",
          "5",
          "--kappa",
          "1.3",
          "--sigma-e",
          "0.8",
          "--mechanism",
          "derivatives",
          "--markets",
          "2000",
          "--seed",
          "cli-p6",
          "--json",
        )
      ).stdout,
    );
    const ci = sim.simulated.holdingCostPerTrader.ci99 as [number, number];
    expect(eq.firstBestHoldingCostPerTrader).toBeGreaterThanOrEqual(ci[0]);
    expect(eq.firstBestHoldingCostPerTrader).toBeLessThanOrEqual(ci[1]);
    for (const bad of [
      ["--covariance", "1,2;2,1"],
      ["--covariance", "1,0;0"],
      ["--asset-correlation", "1"],
    ]) {
      const e = await cli("theory", "--model", "correlated-assets", ...bad);
      expect(e.status, bad.join(" ")).toBe(2);
      expect(e.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
  test("--model dynamic: Proposition 12's fee, participation charge, subsidies and budget surplus against dt", async () => {
    const r = await cli(
      "theory",
      "--model",
      "dynamic",
      "--traders",
      "3",
      "--kappa",
      "1",
      "--delta",
      "0.5",
      "--dt",
      "1",
      "--sigma-0",
      "1",
      "--sigma-z",
      "1",
      "--dts",
      "4,1,0.25",
      "--json",
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    // c = -1/((N-1) kappa delta) and the surplus (N-1) sigma_Z^2 R/(2 kappa delta), R = dt/(e^{delta dt} - 1).
    expect(j.fee.c).toBeCloseTo(-1, 14);
    expect(j.total.budgetSurplus).toBeCloseTo((2 * (1 / Math.expm1(0.5))) / 1, 12);
    expect(j.continuousLimit.budgetSurplus).toBeCloseTo(2 / (2 * 0.25), 12);
    expect(j.sweep.map((x: { dt: number }) => x.dt)).toEqual([4, 1, 0.25]);
    expect(j.inSurplus).toBe(true);
    const single = JSON.parse((await cli("theory", "--model", "dynamic", "--sigma-z", "0", "--json")).stdout);
    expect(single.total.budgetSurplus).toBe(0);
    expect(single.inSurplus).toBe(false);
    // Auctions so far apart that the surplus underflows: the text must not blame a single shock.
    const far = await cli("theory", "--model", "dynamic", "--delta", "800", "--dt", "1");
    expect(far.stdout).toMatch(/below double precision/);
    expect(far.stdout).not.toMatch(/NaN/);
    for (const bad of [
      ["--delta", "0"],
      ["--dt", "-1"],
      ["--sigma-z", "-0.1"],
      ["--dts", "1,x"],
    ]) {
      const e = await cli("theory", "--model", "dynamic", ...bad);
      expect(e.status, bad.join(" ")).toBe(2);
      expect(e.stderr.trim().split("\n")).toHaveLength(1);
    }
  });
  test("readable table without --json", async () => {
    const r = await cli("theory");
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Theorem 1/);
    expect(r.stdout).toMatch(/revenue per trader/);
  });
});

describe("optex simulate", () => {
  test("--json for one mechanism: simulated mean and ci95 per quantity, theory, timing", async () => {
    const r = await cli(
      "simulate",
      "--dist",
      "uniform:-1,1",
      "--kappa",
      "1",
      "--alpha",
      "0.5",
      "--traders",
      "10",
      "--markets",
      "20000",
      "--seed",
      "1",
      "--mechanism",
      "optimal",
      "--json",
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.markets).toBe(20000);
    expect(j.traders).toBe(10);
    expect(j.elapsedSeconds).toBeGreaterThan(0);
    for (const q of ["revenuePerTrader", "holdingCostPerTrader", "utilityGainPerTrader", "tradeVolumePerTrader"]) {
      const s = j.simulated[q];
      expect(s.ci95[0]).toBeLessThan(s.mean);
      expect(s.ci95[1]).toBeGreaterThan(s.mean);
      expect(Number.isFinite(j.theory[q])).toBe(true);
    }
  });
  test("same seed, same bytes (but for elapsedSeconds)", async () => {
    const args = ["simulate", "--markets", "5000", "--seed", "42", "--mechanism", "first-best", "--json"];
    const strip = (s: string) => s.replace(/"elapsedSeconds": [^,]+,/, "");
    // A separate process and this one.
    expect(strip(optex(...args).stdout)).toBe(strip((await cli(...args)).stdout));
  });
  test("default: table comparing the three mechanisms with pass/fail", async () => {
    const r = await cli("simulate", "--markets", "3000");
    expect(r.status).toBe(0);
    for (const m of ["optimal", "first-best", "double-auction"]) expect(r.stdout).toContain(m);
    const rows = r.stdout.split("\n").filter((line) => /per trader/.test(line));
    expect(rows).toHaveLength(12);
    // Agreement itself is tested at 99.9% in theoryVsSimulation; 12 rows at 99% each show a FAIL by
    // chance in about 1 run of 9, so here only the column is checked.
    // The plain auction's zero revenue is simulated as a few roundings: its check says so.
    for (const row of rows) expect(row).toMatch(/(pass|FAIL|pass \(rounding [^)]+\))\s+-?\d+\.\d\d\s+\S+$/);
    expect(r.stdout).toMatch(/Verdict for the 12 checks together: (consistent|INCONSISTENT) with the theory/);
    expect(r.stdout).toMatch(/by chance/);
    expect(r.stderr).toBe("");
  });
  test("--log-level info: structured logs on stderr, stdout stays one JSON object", async () => {
    // Seed 3: a seed whose 2000 markets agree with the theory (exit 0); the check here is the logging.
    const r = optex("simulate", "--markets", "2000", "--seed", "3", "--mechanism", "optimal", "--json", "--log-level", "info");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).markets).toBe(2000);
    const log = JSON.parse(r.stderr.trim().split("\n")[0]!);
    expect(log.msg).toBe("simulated");
    expect(log.mechanism).toBe("optimal");
    expect((await cli("simulate", "--markets", "2000", "--seed", "3", "--mechanism", "optimal", "--json")).stderr).toBe("");
  });
  test("one market: no interval, no NaN", async () => {
    const r = await cli("simulate", "--markets", "1", "--mechanism", "optimal", "--json");
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).simulated.revenuePerTrader.ci95).toBeNull();
  });
});

describe("bad input: one line on stderr, exit code 2", () => {
  test.each([
    [["theory", "--dist", "cauchy:0,1"], /--dist.*unknown distribution family/],
    [["theory", "--alpha", "1.5"], /--alpha.*alpha must be in \[0, 1\]/],
    [["theory", "--alpha", "-0.1"], /alpha must be in \[0, 1\]/],
    [["theory", "--kappa", "0"], /--kappa.*kappa must be a number > 0/],
    [["simulate", "--kappa", "-2"], /kappa must be a number > 0/],
    [["simulate", "--traders", "1"], /--traders.*integer in \[2/],
    [["simulate", "--traders", "abc"], /traders must be a finite number/],
    [["simulate", "--markets", "0"], /--markets.*integer in \[1/],
    [["simulate", "--markets", "1.5"], /markets must be an integer/],
    [["simulate", "--alpha", "x"], /alpha must be a finite number/],
    [["simulate", "--mu-pi", "NaN"], /mu-pi must be a finite number/],
    [["simulate", "--mechanism", "vcg"], /--mechanism/],
    [["simulate", "--traders", "2", "--mechanism", "double-auction"], /no symmetric linear equilibrium/],
    [["simulate", "--bogus"], /unknown option/],
    [["frobnicate"], /unknown command/],
    [["theory", "--frontier", "0:2:0.1"], /--frontier.*FROM <= TO <= 1/],
    [
      ["theory", "--model", "static"],
      /--model.*Allowed choices are basic, heterogeneous, adverse-selection, multi-asset, correlated-assets, dynamic/,
    ],
    [["theory", "--model", "multi-asset", "--assets", "0"], /--assets.*integer in \[1, 1000\]/],
    [
      ["theory", "--model", "heterogeneous", "--dists", "normal:0,1;normal:0,2", "--kappas", "1,2,3"],
      /--dists has 2 laws but --kappas has 3/,
    ],
    [["theory", "--model", "heterogeneous", "--dists", "normal:0,1;normal:0,2"], /model heterogeneous needs --kappas/],
    [["theory", "--model", "heterogeneous"], /model heterogeneous needs --dists and --kappas/],
    [["theory", "--model", "dynamic", "--alpha", "0.5"], /--alpha does not apply to model dynamic/],
    [["theory", "--model", "heterogeneous", "--dists", "normal:0,1;normal:0,2", "--kappas", "1,-2"], /kappa 2: kappa must be a number > 0/],
    [["theory", "--kappas", "1,2"], /--kappas does not apply to model basic \(its parameters: --dist, --kappa/],
    [["theory", "--model", "adverse-selection", "--rho", "1"], /--rho.*rho must be in \[0, 1\)/],
    [["theory", "--model", "adverse-selection", "--sigma-zeta", "-0.5"], /sigma-zeta must be 0 or a number in \[1e-9, 1e9\], got -0.5/],
    [["theory", "--model", "adverse-selection", "--sigma-e", "1e-300"], /sigma-e must be a number in \[1e-9, 1e9\], got 1e-300/],
    [["simulate", "--kappa", "0x10"], /kappa must be a finite number, got "0x10"/],
    [["help", "bogus"], /unknown command .bogus./],
    [
      ["theory", "--model", "correlated-assets", "--covariance", "1,1;1,1"],
      /positive definite with condition number at most 1e10; its condition number is 9\.\d+e\+15/,
    ],
    [["theory", "--model", "adverse-selection", "--sigma-e", "0"], /sigma-e must be a number in \[1e-9, 1e9\], got 0/],
  ])("%j", async (args, pattern) => {
    const r = await cli(...(args as string[]));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
  // In a real process (exit code, streams); the in-process tests above cover the other messages.
  test.each([[["simulate", "--kappa", "-2"], /kappa must be a number > 0/]])(
    "as a process: %j exits with code 2 and one line, no stack trace",
    (args, pattern) => {
      const r = optex(...(args as string[]));
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    },
  );
});

describe("optex ic", () => {
  test("--json: the largest regret, the case that produced it, each law and pass", async () => {
    const r = await cli(
      "ic",
      "--model",
      "basic",
      "--dist",
      "normal:0,1",
      "--traders",
      "6",
      "--alpha",
      "0.7",
      "--cases",
      "10",
      "--participation-markets",
      "2000",
      "--json",
    );
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j).toMatchObject({ model: "basic", fee: "prop3", cases: 10, pass: true, counterexample: null });
    expect(j.largestRegret).toBeLessThanOrEqual(1e-9);
    expect(j.worstCase.types.endowments).toHaveLength(6);
    for (const law of ["incentiveCompatibility", "balance", "budget", "finite", "participation"]) expect(j.laws[law].pass).toBe(true);
    // Same seed, same bytes.
    expect(
      (
        await cli(
          "ic",
          "--model",
          "basic",
          "--dist",
          "normal:0,1",
          "--traders",
          "6",
          "--alpha",
          "0.7",
          "--cases",
          "10",
          "--participation-markets",
          "2000",
          "--json",
        )
      ).stdout,
    ).toBe(r.stdout);
  });
  test("a negative control fails with exit 1 and prints fast-check's shrunk counterexample", async () => {
    const r = await cli("ic", "--fee", "prop3-printed", "--cases", "5", "--participation-markets", "0");
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/incentive compatibility \(relative regret\)\s+\S+\s+<= 1\.00e-9\s+FAIL/);
    expect(r.stdout).toMatch(/Counterexample: \[\[/);
    expect(r.stdout.trim().endsWith("FAIL")).toBe(true);
  });
  test("heterogeneous traders with Proposition 10's fees pass; --list names every module", async () => {
    const r = await cli(
      "ic",
      "--model",
      "heterogeneous",
      "--dists",
      "normal:0,0.5;normal:0,1;normal:0,2",
      "--kappas",
      "1,2,3",
      "--cases",
      "4",
      "--participation-markets",
      "1000",
      "--json",
    );
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ fee: "prop10", pass: true });
    const list = JSON.parse((await cli("ic", "--list", "--json")).stdout);
    expect(list.feeModules.map((m: { id: string }) => m.id)).toEqual(expect.arrayContaining(["none", "prop3", "prop10", "prop3-printed"]));
  });
  test("bad input: one line, exit 2", async () => {
    for (const args of [
      ["--fee", "prop10"],
      ["--fee", "maker-taker"],
      ["--cases", "0"],
      ["--model", "heterogeneous", "--dists", "normal:0,1;normal:0,2", "--kappas", "1,2,3"],
      ["--model", "heterogeneous"],
    ]) {
      const r = await cli("ic", ...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(r.stderr).toMatch(/^optex: error: /);
    }
  });
});

describe("optex bench", () => {
  // A smoke run: the numbers depend on the machine, so only their shape and the sweep's accounting are checked.
  test("--quick --json: every row, the sweep's paired runs and utilisation, every theory solve", async () => {
    const r = await cli("bench", "--quick", "--json");
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as {
      rows: { name: string; secondsPerRun: number; itemsPerSecond: number }[];
      sweep: {
        runs: { pair: number; workers: number; tasksSeconds: number; wholeSeconds: number; cpuSeconds: number; busySeconds: number }[];
        pairedSpeedups: number[];
        medianPairedSpeedup: number;
        utilisationTwoWorkers: number;
        medianCpuInflation: number;
      };
      numpy: {
        traders: number;
        drawsPerRun: number;
        python: string | null;
        skipped?: string;
        runs: { numpy: number | null; optex: number }[];
        bestNumpy?: number;
        bestOptex: number;
        ratio?: number;
      };
      theory: unknown[];
      equilibrium: { fee: string; status: string; iterations: number; seconds: number; epsilonFound: number }[];
    };
    // The equilibrium solver's row: per-unit:0.05 at N = 10 with its certificate.
    expect(j.equilibrium.map((e) => e.fee)).toEqual(["per-unit:0.05"]);
    expect(j.equilibrium[0]!.seconds).toBeGreaterThan(0);
    expect(Number.isFinite(j.equilibrium[0]!.epsilonFound)).toBe(true);
    for (const row of j.rows) expect(row.secondsPerRun > 0 && Number.isFinite(row.itemsPerSecond), row.name).toBe(true);
    // Pairs alternate which worker count runs first.
    expect(j.sweep.runs.map((x) => [x.pair, x.workers])).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
      [1, 1],
    ]);
    for (const run of j.sweep.runs) {
      expect(run.tasksSeconds).toBeLessThanOrEqual(run.wholeSeconds);
      // Workers' busy time fits in workers x wall time of the tasks.
      expect(run.busySeconds).toBeGreaterThan(0);
      expect(run.cpuSeconds).toBeGreaterThan(0);
      expect(run.busySeconds).toBeLessThanOrEqual(run.workers * run.tasksSeconds);
    }
    expect(j.sweep.pairedSpeedups).toHaveLength(2);
    expect(j.sweep.utilisationTwoWorkers).toBeGreaterThan(0);
    expect(j.sweep.utilisationTwoWorkers).toBeLessThanOrEqual(1);
    expect(j.sweep.medianCpuInflation).toBeGreaterThan(0);
    expect(j.theory.length).toBeGreaterThanOrEqual(9);
    // optex's Monte Carlo at N = 10 next to the NumPy baseline (interleaved pairs), or why NumPy was skipped.
    expect(j.numpy.traders).toBe(10);
    expect(j.numpy.bestOptex).toBeGreaterThan(0);
    if (j.numpy.skipped === undefined) {
      expect(j.numpy.runs).toHaveLength(2);
      for (const run of j.numpy.runs) expect(run.numpy! > 0 && run.optex > 0).toBe(true);
      expect(j.numpy.ratio).toBeCloseTo(j.numpy.bestOptex / j.numpy.bestNumpy!, 12);
      expect(j.rows.map((r) => r.name).some((n) => /NumPy/.test(n))).toBe(true);
    } else expect(j.numpy.ratio).toBeUndefined();
  });
});
