import cliProgress from "cli-progress";

/**
 * A progress bar on stderr when stderr is a terminal (never in pipes, CI or tests); returns an
 * update callback and a stop function. Silent otherwise.
 */
export function progressBar(
  total: number,
  label: string,
  unit = "markets",
  minimum = 100_000,
): { update: (done: number) => void; stop: () => void } {
  if (!process.stderr.isTTY || total < minimum) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    // The cursor stays visible and line wrap on: a Ctrl-C during a synchronous Monte Carlo kills the
    // process before any handler could restore them, so nothing is changed that would need restoring.
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta}s`,
      hideCursor: false,
      linewrap: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (done) => bar.update(done), stop: () => bar.stop() };
}
