import { describe, expect, test } from "vitest";
import { parseScenario } from "./scenarioSchema.ts";

describe("scenario files get the model's checks at every sweep point", () => {
  test("adverse selection: a law for the signal with rho != 0 is refused at the sweep point that has it", () => {
    const s = { id: "a", model: "adverse-selection", environment: { signalDist: "uniform:-1,1" }, sweep: { rho: [0, 0.5] } };
    expect(() => parseScenario(s, "a.yaml")).toThrow(
      /a\.yaml: sweep point rho = 0\.5: --endowment-dist and --signal-dist need independent signals/,
    );
    expect(() => parseScenario({ ...s, sweep: { rho: [0] } }, "a.yaml")).not.toThrow();
  });
});

describe("dists in a scenario file: one law per entry", () => {
  const scenario = (dists: unknown) => parseScenario({ id: "h", model: "heterogeneous", environment: { dists, kappas: [1, 1] } }, "h.yaml");
  test.each([
    [["uniform:-1,1"], /dists needs at least 2 laws/],
    [["uniform:-1,1;normal:0,1", "normal:0,1"], /dists entry 1 must be one law/],
    [["uniform:-1,1", " "], /dists entry 2 must be one law/],
    [["uniform:-1,1", "normal:0,-1"], /law 2: normal: need a finite SIGMA > 0, got -1/],
  ])("%j is refused", (dists, message) => {
    expect(() => scenario(dists)).toThrow(message);
  });
  test("two laws pass", () => expect(scenario(["uniform:-1,1", "normal:0,1"]).environment.dists).toEqual(["uniform:-1,1", "normal:0,1"]));
});
