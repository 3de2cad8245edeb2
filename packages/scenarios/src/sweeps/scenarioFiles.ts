import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { catalogue } from "./catalogue.ts";
import { InputError } from "../inputError.ts";
import { parseScenario, type Scenario } from "./scenarioSchema.ts";

/** A catalogue id or a path to a .yaml/.yml/.json scenario file. Throws InputError naming the problem. */
export function loadScenario(nameOrPath: string): Scenario {
  const builtIn = catalogue.find((s) => s.id === nameOrPath);
  if (builtIn) return builtIn;
  if (!existsSync(nameOrPath)) {
    throw new InputError(`"${nameOrPath}" is neither a built-in scenario (see optex list) nor a file`);
  }
  const text = readFileSync(nameOrPath, "utf8");
  let value: unknown;
  try {
    value = /\.json$/i.test(nameOrPath) ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new InputError(`${nameOrPath}: not valid ${/\.json$/i.test(nameOrPath) ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`);
  }
  return parseScenario(value, nameOrPath);
}
