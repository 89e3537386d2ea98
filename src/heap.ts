import { setFlagsFromString } from "node:v8";

/** What tuneHeap did, and how to end its start-up setting. */
export interface HeapTuning {
  /** The flags set, as given to V8. */
  readonly applied: readonly string[];
  /** Call once the gateway is serving: the young generation may grow again. */
  startedUp(): void;
}

// V8 reads this flag at every collection, so setting it at run time takes effect (src/heap.test.ts
// checks that). Flags V8 reads once, when the heap is created (--max-semi-space-size,
// --max-old-space-size), cannot be set from here: they go on the command line or in NODE_OPTIONS.
const FLAG = "semi-space-growth-factor";
// V8's own value, restored once serving.
const V8_DEFAULT = "2";

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
 */
export function tuneHeap(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string | undefined = process.env["NODE_OPTIONS"],
  set: (flags: string) => void = setFlagsFromString,
): HeapTuning {
  if (givenFlags(execArgv, nodeOptions).has(FLAG)) return { applied: [], startedUp: () => {} };
  const hold = `--${FLAG}=1`;
  set(hold);
  let started = false;
  return {
    applied: [hold],
    startedUp() {
      if (started) return;
      started = true;
      set(`--${FLAG}=${V8_DEFAULT}`);
    },
  };
}
