import { Code, ConnectError } from "@connectrpc/connect";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorInfoSchema } from "../../gen/ts/google/rpc/error_details_pb.js";
import { bearer, digest } from "../support/auth.js";
import { readGrpc, readSse } from "../support/durable-clients.js";
import { startHarness, type Harness } from "../support/harness.js";

/*
 * One replica, the embedded memory store: a caller drops its stream part-way and re-attaches (Last-Event-ID
 * on the REST face, ResumeStream on gRPC); it must receive every token once, while the generation ran on
 * without it. A stream nobody re-attaches to is aborted upstream once its grace has passed.
 */

const FULL = "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen.";
const KEYS = { acme: "sk-acme-durable", globex: "sk-globex-durable" };

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    durable: { resumableStreams: true, graceMs: 1_000, leaseMs: 300, flushMs: 10 },
    auth: {
      tenants: [
        { name: "acme", keys: [{ sha256: digest(KEYS.acme) }] },
        { name: "globex", keys: [{ sha256: digest(KEYS.globex) }] },
      ],
    },
  });
});
afterAll(() => h.close());
beforeEach(() => h.upstream.setDefault({ text: FULL, chunkDelayMs: 30 }));

const acme = { authorization: `Bearer ${KEYS.acme}` };

describe("resuming a stream on the REST face", () => {
  it("re-attaches with Last-Event-ID and receives the rest, every token once", async () => {
    const body = { model: "gpt-test", messages: [{ role: "user", content: "Count." }], stream: true };
    const first = await readSse(h.httpUrl, body, { stopAfter: 3, headers: acme });
    expect(first.token).toMatch(/^[\w-]{24}$/);
    expect(first.lastId).toMatch(new RegExp(`^${first.token}\\.\\d+$`));
    expect(first.done).toBe(false);
    const rest = await readSse(h.httpUrl, body, { lastEventId: first.lastId!, headers: acme });
    expect(rest.done).toBe(true);
    expect(first.text + rest.text).toBe(FULL);
    // The generation was not started again.
    expect(h.upstream.requests.filter((r) => JSON.stringify(r.body).includes("Count."))).toHaveLength(1);
  });

  it("refuses a malformed Last-Event-ID", async () => {
    const body = { model: "gpt-test", messages: [{ role: "user", content: "Count." }], stream: true };
    await expect(readSse(h.httpUrl, body, { lastEventId: "no-dot", headers: acme })).rejects.toThrow(/status 400/);
  });
});

describe("resuming a stream over gRPC", () => {
  it("ResumeStream after the last event seen gives the rest, every token once", async () => {
    const transport = h.rpcTransport({ interceptors: [bearer(KEYS.acme)] });
    const first = await readGrpc(transport, { prompt: "Count, gRPC.", stopAfter: 4 });
    expect(first.token).toBeDefined();
    const rest = await readGrpc(transport, { resume: { token: first.token!, lastEventId: BigInt(first.lastId!) } });
    expect(rest.done).toBe(true);
    expect(first.text + rest.text).toBe(FULL);
    expect(rest.completion?.message?.content).toBe(FULL);
  });

  it("replays the whole stream from event 0, also after it ended", async () => {
    const transport = h.rpcTransport({ interceptors: [bearer(KEYS.acme)] });
    const whole = await readGrpc(transport, { prompt: "Count again." });
    expect(whole.text).toBe(FULL);
    const again = await readGrpc(transport, { resume: { token: whole.token!, lastEventId: 0n } });
    expect(again.text).toBe(FULL);
    expect(again.completion?.id).toBe(whole.completion?.id);
  });

  it("treats another tenant's token, and a made-up one, as not found", async () => {
    const first = await readGrpc(h.rpcTransport({ interceptors: [bearer(KEYS.acme)] }), { prompt: "Mine.", stopAfter: 2 });
    const globex = h.rpcTransport({ interceptors: [bearer(KEYS.globex)] });
    for (const token of [first.token!, "made-up-token-000000000000"]) {
      const err = await readGrpc(globex, { resume: { token, lastEventId: 0n } }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ConnectError);
      expect((err as ConnectError).code).toBe(Code.NotFound);
      expect((err as ConnectError).findDetails(ErrorInfoSchema)[0]?.reason).toBe("NOT_FOUND");
    }
  });
});

describe("the grace period", () => {
  it("aborts the generation upstream when nobody re-attaches", async () => {
    h.upstream.setDefault({ text: `${FULL} ${FULL} ${FULL} ${FULL}`, chunkDelayMs: 50 });
    const before = h.upstream.requests.length;
    const first = await readGrpc(h.rpcTransport({ interceptors: [bearer(KEYS.acme)] }), { prompt: "Then leave.", stopAfter: 2 });
    expect(first.done).toBe(false);
    // The fake sees its client (the gateway) go away: the generation was cancelled, not left running.
    await h.upstream.waitForAbort(before);
    expect(h.upstream.requests[before]?.aborted).toBe(true);
  });
});
