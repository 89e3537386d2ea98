/**
 * The playground and dashboard: plain DOM, gRPC-Web through @connectrpc/connect-web, the
 * gateway's generated types. It talks to the origin that served it. The Keys, Budgets and
 * Requests pages live in their own files; hash routes pick the page shown.
 */
import { ModelType } from "../gen/ts/llmgateway/v1/completion_service_pb.js";
import { BreakerState, ServingStatus, type WatchResponse } from "../gen/ts/llmgateway/v1/health_service_pb.js";
import { CacheStatus, Role, type Completion } from "../gen/ts/llmgateway/v1/types_pb.js";
import { loadBudgets, setUpBudgetsPage } from "./budgets-page.js";
import { admin, cache, completions, explain, health, keyInput, sessions } from "./client.js";
import { loadKeys, setUpKeysPage } from "./keys-page.js";
import { loadRequests, setUpRequestsPage } from "./requests-page.js";
import { createRouter } from "./router.js";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
keyInput.value = localStorage.getItem("llmgw-key") ?? "";
keyInput.addEventListener("change", () => {
  localStorage.setItem("llmgw-key", keyInput.value);
  // Everything the key decides, at once: no reload needed after typing it.
  $("conn").textContent = "";
  void loadModels().catch((e: unknown) => ($("conn").textContent = explain(e)));
  void loadSessions().catch(() => {});
  void refresh();
  router.refresh();
});

setUpKeysPage();
setUpBudgetsPage();
setUpRequestsPage();
const router = createRouter(
  {
    home: { section: "page-home" },
    keys: { section: "page-keys", enter: () => void loadKeys() },
    budgets: { section: "page-budgets", enter: () => void loadBudgets() },
    requests: { section: "page-requests", enter: () => void loadRequests() },
  },
  "home",
);
const USER = "playground";

const el = (tag: string, cls: string, text = "") => {
  const e = document.createElement(tag);
  e.className = cls;
  e.textContent = text;
  return e;
};

async function loadModels(): Promise<void> {
  const select = $<HTMLSelectElement>("model");
  const res = await completions.listModels({});
  // The playground completes: embedding models answer other calls.
  select.replaceChildren(
    ...res.models
      .filter((m) => m.type !== ModelType.EMBEDDING)
      .map((m) => new Option(`${m.name}${m.local ? " (local)" : ""}`, m.name, m.name === res.defaultModel, m.name === res.defaultModel)),
  );
}

async function loadSessions(select?: string): Promise<void> {
  const picker = $<HTMLSelectElement>("session");
  const res = await sessions.listSessions({ user: USER, pageSize: 50 });
  picker.replaceChildren(
    new Option("none", ""),
    ...res.sessions.map((s) => new Option(`${s.id.slice(0, 8)} (${s.messageCount} messages)`, s.id)),
  );
  if (select) picker.value = select;
}

$("new-session").addEventListener("click", async () => {
  try {
    const { session } = await sessions.createSession({ user: USER, model: $<HTMLSelectElement>("model").value });
    await loadSessions(session?.id);
  } catch (e) {
    alert(explain(e));
  }
});

function describe(c: Completion): string {
  const cacheStatus = CacheStatus[c.cacheStatus]?.toLowerCase() ?? "";
  const tokens = `${c.usage?.inputTokens ?? 0n} in / ${c.usage?.outputTokens ?? 0n} out`;
  return [
    `provider ${c.provider}`,
    `cache ${cacheStatus}`,
    `tokens ${tokens}`,
    `cost $${c.costUsd.toFixed(6)}`,
    `latency ${c.latencyMs.toFixed(0)} ms`,
    `first token ${c.timeToFirstTokenMs.toFixed(0)} ms`,
  ].join(" · ");
}

$<HTMLFormElement>("ask").addEventListener("submit", async (event) => {
  event.preventDefault();
  const prompt = $<HTMLTextAreaElement>("prompt");
  const text = prompt.value.trim();
  if (!text) return;
  const turn = el("div", "turn");
  const answer = el("div", "answer");
  const meta = el("div", "meta", "…");
  turn.append(el("div", "user", text), answer, meta);
  $("transcript").append(turn);
  prompt.value = "";
  const send = $<HTMLButtonElement>("send");
  send.disabled = true;
  const temperature = $<HTMLInputElement>("temperature").value;
  try {
    const stream = completions.streamComplete({
      model: $<HTMLSelectElement>("model").value,
      user: USER,
      messages: [{ role: Role.USER, content: text }],
      routing: { strategy: Number($<HTMLSelectElement>("strategy").value) },
      sessionId: $<HTMLSelectElement>("session").value,
      ...(temperature === "" ? {} : { temperature: Number(temperature) }),
    });
    for await (const ev of stream) {
      if (ev.event.case === "delta") answer.textContent += ev.event.value.text;
      else if (ev.event.case === "toolCall")
        turn.insertBefore(el("div", "tool", `tool ${ev.event.value.name}(${ev.event.value.argumentsJson})`), answer);
      else if (ev.event.case === "toolResult") turn.insertBefore(el("div", "tool", `→ ${ev.event.value.output.slice(0, 200)}`), answer);
      else if (ev.event.case === "completion") meta.textContent = describe(ev.event.value);
    }
    if ($<HTMLSelectElement>("session").value) void loadSessions($<HTMLSelectElement>("session").value);
  } catch (e) {
    meta.textContent = "";
    meta.append(el("span", "error", explain(e)));
  } finally {
    send.disabled = false;
  }
});

function renderHealth(h: WatchResponse): void {
  const overall = $("overall");
  overall.textContent = ServingStatus[h.status];
  overall.className = `pill status-${ServingStatus[h.status]}`;
  $("providers")
    .querySelector("tbody")!
    .replaceChildren(
      ...h.dependencies.map((d) => {
        const row = document.createElement("tr");
        row.dataset["provider"] = d.name;
        const status = el("td", `status status-${ServingStatus[d.status]}`, ServingStatus[d.status]);
        row.append(el("td", "", d.name), status, el("td", "", d.detail));
        return row;
      }),
    );
  $("deployments")
    .querySelector("tbody")!
    .replaceChildren(
      ...h.deployments.map((d) => {
        const row = document.createElement("tr");
        row.append(
          el("td", "", d.model),
          el("td", "", d.provider),
          el("td", "", BreakerState[d.breakerState]?.toLowerCase() ?? ""),
          el("td", "", d.calls ? `${d.latencyMs.toFixed(0)} ms` : "–"),
          el("td", "", `${(d.errorRate * 100).toFixed(0)}%`),
        );
        return row;
      }),
    );
}

/** Health, live: HealthService.Watch, reconnecting if the stream drops. */
async function watchHealth(): Promise<void> {
  for (;;) {
    try {
      $("conn").textContent = "live";
      for await (const h of health.watch({})) renderHealth(h);
    } catch {
      $("conn").textContent = "reconnecting…";
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

const pairs = (target: HTMLElement, entries: [string, string][]) =>
  target.replaceChildren(...entries.flatMap(([k, v]) => [el("dt", "", k), el("dd", "", v)]));

/** Cache statistics and today's usage; both need an admin key when the gateway has keys. */
async function refresh(): Promise<void> {
  try {
    const s = (await cache.getCacheStats({})).stats;
    if (s) {
      pairs($("cache"), [
        ["store", s.store],
        ["entries", String(s.entries)],
        ["hit ratio", `${(s.hitRatio * 100).toFixed(0)}%`],
        ["hits (exact / semantic)", `${s.hitsExact} / ${s.hitsSemantic}`],
        ["coalesced", String(s.coalesced)],
        ["saved", `${s.tokensSaved} tokens, $${s.costSavedUsd.toFixed(6)}`],
      ]);
    }
    const u = await admin.getSummary({});
    pairs($("usage"), [
      ["requests", String(u.requestsToday)],
      ["cost", `$${u.costTodayUsd.toFixed(6)}`],
      ["saved by the cache", `$${u.savedTodayUsd.toFixed(6)}`],
      ["open breakers", u.openBreakers.join(", ") || "none"],
    ]);
  } catch (e) {
    pairs($("usage"), [["", explain(e)]]);
  }
}

void loadModels().catch((e: unknown) => ($("conn").textContent = explain(e)));
void loadSessions().catch(() => {});
void watchHealth();
void refresh();
setInterval(() => void refresh(), 3000);
