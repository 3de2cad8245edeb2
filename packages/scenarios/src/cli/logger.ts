import pino from "pino";

/** Structured logs on stderr (stdout is reserved for results); silent unless asked. */
export function createLogger(level: string): pino.Logger {
  return pino({ level, base: null }, pino.destination(2));
}
