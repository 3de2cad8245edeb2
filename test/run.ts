import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/.bin/tsx", import.meta.url));

/** Runs a TypeScript file of the repository with tsx, as a user would. */
export function runTs(file: string, args: string[] = []): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(tsx, [file, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, FORCE_COLOR: "0" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the optex CLI (the entry behind `pnpm optex`). */
export function optex(...args: string[]) {
  return runTs("packages/scenarios/src/cli/optex.ts", args);
}

/** The CLI in-process (fast): exit status and what it printed on each stream. */
export async function cli(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const { main } = await import("@optex/scenarios");
  let stdout = "";
  let stderr = "";
  const status = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
  return { status, stdout, stderr };
}
