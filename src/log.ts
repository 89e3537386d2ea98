/** Log levels, lowest first. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** A structured logger: one JSON object per line. */
export type Logger = Record<LogLevel, (message: string, fields?: Record<string, unknown>) => void>;

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A sink that writes lines to stdout in batches: one write for all the lines
 * of one turn of the event loop (stdout to a file or a pipe is a blocking
 * system call per write on Linux; an access line per call made that a
 * system call per call). Whatever is pending is written when the process exits.
 */
export function stdoutSink(out: { write(text: string): unknown } = process.stdout): (line: string) => void {
  let pending: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (pending.length === 0) return;
    const text = pending.join("\n") + "\n";
    pending = [];
    out.write(text);
  };
  process.once("exit", flush);
  return (line) => {
    pending.push(line);
    if (pending.length >= 1024) flush();
    else if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
}

/** Writes JSON lines at or above a level to a sink (stdout, in batches, by default). */
export function createLogger(level: LogLevel, sink: (line: string) => void = stdoutSink()): Logger {
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
