import { randomUUID } from "node:crypto";
import type { CallContext } from "../../core/call.js";
import type { Clock } from "../../core/clock.js";
import type { ChatRequest, ChatResult } from "../../core/types.js";
import { dot, type Embedder } from "./embedder.js";
import { SEMANTIC_CACHE_TENANT } from "./gateway.js";

/** What one verification compares: the new query's fresh answer against the cached answer of the entry it matched. */
export interface Comparison {
  query: string;
  cachedQuery: string;
  cached: string;
  fresh: string;
}

/**
 * Decides whether a cached answer would have served a new query as well as the
 * fresh answer did. Its mistakes feed the bound: a false "same" counts a wrong
 * hit as right and loosens the bound by that rate; a false "different" only
 * costs hits. Throws when it cannot tell (the observation is then not recorded).
 */
export interface AnswerComparator {
  readonly name: string;
  same(c: Comparison): Promise<boolean>;
}

/** Case, Unicode forms and runs of white space: the differences that never change what an answer says. */
export const normaliseAnswer = (text: string): string => text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

/**
 * The default: the two answers are the same text once case and spacing are
 * set aside. It never calls a wrong hit right (two answers that read the same
 * are the same answer, whatever the questions were), so the bound holds as
 * stated; it calls many right hits wrong when the upstream words its answers
 * differently each time, which costs hits, never errors.
 */
export function createExactComparator(): AnswerComparator {
  return { name: "exact", same: async ({ cached, fresh }) => normaliseAnswer(cached) === normaliseAnswer(fresh) };
}

/**
 * The semantic embedder on the two answers, with a strict threshold, and the
 * near-miss guard on the answers as on queries (other numbers, names, units,
 * negations refuse). It accepts answers worded differently, and with them some
 * answers that differ in a detail the embedder and the guard both miss: those
 * count as right and loosen the bound by their rate (docs/caching.md).
 */
export function createEmbeddingComparator(embedder: Embedder, threshold: number): AnswerComparator {
  return {
    name: `embedding:${embedder.name}`,
    async same({ cached, fresh }) {
      if (normaliseAnswer(cached) === normaliseAnswer(fresh)) return true;
      const [a, b] = await embedder.embed([cached, fresh]);
      if (!a || !b || dot(a, b) < threshold) return false;
      const { guardFeatures, guardMismatch } = await import("./guard.js");
      return guardMismatch(guardFeatures(cached), guardFeatures(fresh)) === undefined;
    },
  };
}

/** The gateway's own completion pipeline (Gateway.complete), bound once the gateway is built. */
export type GatewayComplete = (request: ChatRequest, call: CallContext) => Promise<ChatResult>;

const JUDGE_SYSTEM = [
  "You check a cache of answers. You are given a new question, the answer just generated for it, and an answer",
  "cached for an earlier question. Reply SAME if the cached answer answers the new question as correctly and",
  "completely as the fresh answer does (wording may differ), and DIFFERENT if it differs in any fact, number,",
  "name, direction, condition or recommendation that matters to the new question. Reply with that one word.",
].join(" ");

/**
 * A catalogue model as judge, called through the gateway's own pipeline (routed,
 * metered, billed to the semantic cache's internal tenant, cached exactly) at
 * temperature 0. Anything but a reply starting with SAME counts as different.
 */
export function createJudgeComparator(options: {
  model: string;
  complete: () => GatewayComplete;
  clock: Clock;
  timeoutMs: number;
}): AnswerComparator {
  const { clock } = options;
  return {
    name: `judge:${options.model}`,
    async same({ query, cachedQuery, cached, fresh }) {
      if (normaliseAnswer(cached) === normaliseAnswer(fresh)) return true;
      const controller = new AbortController();
      const receivedAt = clock.monotonic();
      const cancel = clock.after(options.timeoutMs, () => controller.abort());
      const call: CallContext = {
        signal: controller.signal,
        deadlineAt: receivedAt + options.timeoutMs,
        requestId: `semantic-cache-judge-${randomUUID()}`,
        receivedAt,
        tenant: SEMANTIC_CACHE_TENANT,
      };
      const content = `New question:\n${query}\n\nFresh answer:\n${fresh}\n\nCached answer (to the question "${cachedQuery}"):\n${cached}`;
      const request: ChatRequest = {
        model: options.model,
        messages: [
          { role: "system", content: JUDGE_SYSTEM },
          { role: "user", content },
        ],
        temperature: 0,
        maxTokens: 4,
        stop: [],
        user: "",
        metadata: {},
        routing: { preferredProviders: [], excludedProviders: [] },
        // The judge's own prompts are never matched by meaning: that would judge with a cached verdict on other answers.
        cache: { noSemantic: true },
      };
      try {
        const result = await options.complete()(request, call);
        return /^\W*same\b/i.test(result.message.content);
      } finally {
        cancel();
      }
    },
  };
}
