import { existsSync, readFileSync, statSync } from "node:fs";
import { parseDocument } from "yaml";
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
  if (statSync(nameOrPath).isDirectory()) throw new InputError(`${nameOrPath}: is a directory, not a scenario file (.yaml, .yml or .json)`);
  const text = readFileSync(nameOrPath, "utf8");
  let value: unknown;
  try {
    value = /\.json$/i.test(nameOrPath) ? JSON.parse(text) : plainYaml(text);
  } catch (error) {
    throw new InputError(
      `${nameOrPath}: not valid ${/\.json$/i.test(nameOrPath) ? "JSON" : "YAML"}: ${(error as Error).message.split("\n")[0]}`,
    );
  }
  return parseScenario(value, nameOrPath);
}

/** Plain YAML only: a custom tag (!!js/function, !!binary, ...) is an error, never a silent string or a warning on stderr. */
function plainYaml(text: string): unknown {
  const doc = parseDocument(text, { logLevel: "silent" });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new Error(problem.message.split("\n")[0]!.replace(/^Unresolved tag: tag:yaml.org,2002:/, "unsupported tag !!"));
  return doc.toJS();
}
