/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A structured logger: one JSON object per line. */
export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Writes JSON lines at or above a level to a sink (stdout by default). */
export function createLogger(level: LogLevel, sink: (line: string) => void = (l) => process.stdout.write(l + "\n")): Logger {
  const make = (l: LogLevel) =>
    order[l] < order[level]
      ? () => {}
      : (message: string, fields: Record<string, unknown> = {}) => {
          sink(JSON.stringify({ time: new Date().toISOString(), level: l, msg: message, ...fields }));
        };
  return { debug: make("debug"), info: make("info"), warn: make("warn"), error: make("error") };
}

/** A logger that drops everything, for tests and benchmarks. */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
