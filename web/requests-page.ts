/**
 * The Requests page: the request log (AdminService.ListRequests), newest
 * first, filtered and paged; a row opens to everything kept about the call.
 * Page tokens only go towards older entries, so the page keeps the tokens it
 * came through to go back.
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { ListRequestsRequestSchema, RequestEntry } from "../gen/ts/llmgateway/v1/admin_service_pb.js";
import { admin } from "./client.js";
import { button, byId, el, row, showError, usd } from "./dom.js";

const COLUMNS = 11;
/** The tokens of the pages shown so far: the last is the current page's ("" for the newest). */
let trail: string[] = [""];
let next = "";

const text = (id: string) => byId<HTMLInputElement | HTMLSelectElement>(id).value.trim();

function filters(): MessageInitShape<typeof ListRequestsRequestSchema> {
  return {
    tenant: text("req-tenant"),
    keyId: text("req-key"),
    model: text("req-model"),
    status: text("req-status"),
    cache: text("req-cache"),
    pageSize: Number(text("req-size")),
  };
}

/** Everything kept about one call, as a definition list; prompt and answer only when the server sent them. */
function details(e: RequestEntry): HTMLElement {
  const dl = el("dl", "request-details");
  const add = (k: string, v: string) => v && dl.append(el("dt", "", k), el("dd", "", v));
  add("Request id", e.requestId);
  add("Trace id", e.traceId);
  add("Received", new Date(Number(e.timeMs)).toISOString());
  add("Face", e.face);
  add("Method", e.method);
  add("Code", e.code);
  add("Reason", e.reason);
  add("HTTP status", e.httpStatus ? String(e.httpStatus) : "");
  add("Tokens", `${e.inputTokens} in (${e.cachedInputTokens} cached) / ${e.outputTokens} out (${e.reasoningTokens} reasoning)`);
  add("Cost", usd(e.costUsd));
  add("Latency", `${e.latencyMs.toFixed(1)} ms`);
  add(
    "Attempts",
    e.attempts
      .map((a, i) => `${i + 1}. ${a.provider}${a.model ? `/${a.model}` : ""}: ${a.outcome} ${a.latencyMs.toFixed(0)} ms`)
      .join("\n"),
  );
  add(
    "Metadata",
    Object.entries(e.metadata)
      .map(([k, v]) => `${k}=${v}`)
      .join("\n"),
  );
  if (e.prompt) {
    dl.append(el("dt", "", "Prompt"));
    const dd = el("dd");
    dd.append(el("pre", "", e.prompt));
    dl.append(dd);
  }
  if (e.answer) {
    dl.append(el("dt", "", "Answer"));
    const dd = el("dd");
    dd.append(el("pre", "", e.answer));
    dl.append(dd);
  }
  return dl;
}

/** A row, and below it its details, hidden until its toggle (a real button: keyboard and screen readers) opens it. */
function entryRows(e: RequestEntry): HTMLTableRowElement[] {
  const open = el("tr", "request-open");
  open.hidden = true;
  const cell = el("td");
  cell.colSpan = COLUMNS;
  cell.append(details(e));
  open.append(cell);
  open.id = `req-${e.id.replace(/[^\w-]/g, "_")}`;
  const toggle = button(new Date(Number(e.timeMs)).toLocaleTimeString(), () => {
    open.hidden = !open.hidden;
    toggle.setAttribute("aria-expanded", String(!open.hidden));
  });
  // The name starts with the visible text (the time), as speech input expects, then says what the button opens.
  toggle.setAttribute("aria-label", `${toggle.textContent}: details of the ${e.model || "call"} call`);
  toggle.setAttribute("aria-expanded", "false");
  toggle.setAttribute("aria-controls", open.id);
  toggle.className = "link";
  const status = el("span", e.code === "ok" ? "ok" : "error", e.code + (e.reason ? ` (${e.reason})` : ""));
  const main = row([
    toggle,
    e.tenant,
    e.keyId ? el("code", "", e.keyId) : "–",
    e.user || "–",
    e.model || "–",
    e.provider || "–",
    status,
    e.cache || "–",
    `${e.inputTokens} / ${e.outputTokens}`,
    usd(e.costUsd),
    `${e.latencyMs.toFixed(0)} ms`,
  ]);
  main.className = "request";
  main.dataset["requestId"] = e.requestId;
  return [main, open];
}

/** Shows the page the trail ends at. */
async function show(): Promise<void> {
  const body = byId("requests-table").querySelector("tbody")!;
  const note = byId("requests-note");
  try {
    const res = await admin.listRequests({ ...filters(), pageToken: trail.at(-1) ?? "" });
    showError(byId("requests-error"));
    next = res.nextPageToken;
    body.replaceChildren(...res.entries.flatMap(entryRows));
    // A selective filter reads a bounded slice per page, so an empty page may still have older matches.
    note.textContent = res.entries.length > 0 ? "" : next ? "No matching calls on this page; older ones may match." : "No matching calls.";
  } catch (e) {
    next = "";
    body.replaceChildren();
    note.textContent = "";
    showError(byId("requests-error"), e);
  }
  byId<HTMLButtonElement>("requests-older").disabled = !next;
  byId<HTMLButtonElement>("requests-newer").disabled = trail.length <= 1;
  byId("requests-page").textContent = `Page ${trail.length}`;
}

/** Loads the newest page with the filters in the form. */
export function loadRequests(): Promise<void> {
  trail = [""];
  return show();
}

/** Wires the page's form and paging; call once. */
export function setUpRequestsPage(): void {
  byId<HTMLFormElement>("requests-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void loadRequests();
  });
  byId("requests-older").addEventListener("click", () => {
    trail.push(next);
    void show();
  });
  byId("requests-newer").addEventListener("click", () => {
    if (trail.length > 1) trail.pop();
    void show();
  });
}
