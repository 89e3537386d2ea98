import { setFlagsFromString } from "node:v8";

/**
 * The Node flags the gateway is started with (`npm start`, the container, the benchmarks): V8's young
 * generation capped at 16 MB per semi-space instead of Node 24's 64 MB. V8 reads the cap once, when the heap
 * is created, so it cannot be set from here. Measured (`npm run bench:memory`, 256 callers): RSS at
 * saturation about 100 MB lower, the same throughput and fewer minor-GC milliseconds per call.
 */
export const GATEWAY_NODE_ARGS: readonly string[] = ["--max-semi-space-size=16"];

/** What tuneHeap did, and how to end its start-up setting. */
export interface HeapTuning {
  /** The flags set, as given to V8. */
  readonly applied: readonly string[];
  /** Call once the gateway is serving: the young generation may grow again. */
  startedUp(): void;
}

// V8 reads these flags at every collection, so setting them at run time takes effect (src/heap.test.ts
// checks that). Flags V8 reads once, when the heap is created (--max-semi-space-size,
// --max-old-space-size), cannot be set from here: they go on the command line or in NODE_OPTIONS
// (`npm start` and the container pass --max-semi-space-size=16; see docs/operations.md).
const FLAG = "semi-space-growth-factor";
// V8's own value, restored once serving.
const V8_DEFAULT = "2";
// The old generation's next collection comes when it has grown by this percentage over what the last
// one kept, not by V8's default factor (up to 4× on a small heap): a gateway's live set is small (tens of
// MB) and most of what it promotes dies soon, so V8's default let the old space reach ~150 MB of mostly
// garbage at saturation. Measured (`npm run bench:memory`, 256 callers): old space 150 → 45 MB, no
// throughput lost; major GC pauses 0.001 → 0.003 ms per call.
const GROWING = "heap-growing-percent";
const GROWING_PERCENT = "20";

/** Flags the operator gave (command line or NODE_OPTIONS), by name, without leading dashes or "no-". */
function givenFlags(execArgv: readonly string[], nodeOptions: string | undefined): Set<string> {
  const names = new Set<string>();
  for (const arg of [...execArgv, ...(nodeOptions ?? "").split(/\s+/)]) {
    const m = /^--(?:no-)?([\w-]+)/.exec(arg);
    if (m) names.add(m[1]!.replaceAll("_", "-"));
  }
  return names;
}

/**
 * Holds V8's young generation at its initial size while the gateway starts.
 * Loading the modules allocates a lot that survives, and V8 answers by
 * growing the young generation to tens of megabytes (up to 128 MB on Node 24)
 * that then sit idle, resident: about 30 MB of the idle gateway's memory.
 * Once serving, it grows under load as V8 sees fit, so throughput is
 * untouched; start-up takes about a tenth of a second longer. A factor the
 * operator set (command line or NODE_OPTIONS) is left alone. Runs at run
 * time, so that it holds however the gateway is started (`npm start`, the
 * container, `node dist/src/main.js`); call it before loading the rest.
 * It also holds the old generation's growth to 20% between collections
 * (see GROWING above), unless the operator set that.
 */
export function tuneHeap(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env["NODE_OPTIONS"],
  set: (flags: string) => void = setFlagsFromString,
): HeapTuning {
  const given = givenFlags(execArgv, nodeOptions);
  const applied: string[] = [];
  if (!given.has(GROWING)) applied.push(`--${GROWING}=${GROWING_PERCENT}`);
  const hold = !given.has(FLAG);
  if (hold) applied.push(`--${FLAG}=1`);
  for (const flag of applied) set(flag);
  let started = false;
  return {
    applied,
    startedUp() {
      if (started || !hold) return;
      started = true;
      set(`--${FLAG}=${V8_DEFAULT}`);
    },
  };
}
