/**
 * The Keys page: KeyService's keys for the tenants the caller may manage,
 * made here (the secret shown once), rotated with a grace, revoked after a
 * confirmation. The gateway decides who sees what; the page shows its answer,
 * refusals included.
 */
import type { ApiKey } from "../gen/ts/llmgateway/v1/key_service_pb.js";
import { keys } from "./client.js";
import { button, byId, el, list, row, showError, usd, when } from "./dom.js";

const errorLine = () => byId<HTMLElement>("keys-error");
const value = (id: string) => byId<HTMLInputElement>(id).value.trim();
let nextToken = "";

/** Tenants seen in key lists, offered as completions in every tenant field. */
const knownTenants = new Set<string>();
function rememberTenants(found: ApiKey[]): void {
  for (const k of found) knownTenants.add(k.tenant);
  byId("tenant-names").replaceChildren(...[...knownTenants].sort().map((t) => new Option(t, t)));
}

/** A key's standing now: revoked, expired, in a rotation's grace, or active. */
export function keyStatus(k: ApiKey, now = Date.now()): string {
  if (k.revokeTimeMs) return `revoked ${when(k.revokeTimeMs)}`;
  if (k.expireTimeMs && Number(k.expireTimeMs) <= now) return `expired ${when(k.expireTimeMs)}`;
  const parts = ["active"];
  if (k.expireTimeMs) parts.push(`until ${when(k.expireTimeMs)}`);
  if (Number(k.previousSecretValidUntilMs) > now) parts.push(`old secret valid until ${when(k.previousSecretValidUntilMs)}`);
  return parts.join(", ");
}

function caps(k: ApiKey): string {
  const b = k.budget;
  const parts = [b?.dailyUsd ? `${usd(b.dailyUsd)}/day` : "", b?.monthlyUsd ? `${usd(b.monthlyUsd)}/month` : ""].filter(Boolean);
  return parts.join(", ") || "none";
}

function keyRow(k: ApiKey): HTMLTableRowElement {
  const actions = el("span", "actions");
  if (!k.revokeTimeMs) {
    actions.append(
      button("Rotate", () => rotate(k)),
      button("Revoke", () => revoke(k), "danger"),
    );
    // Buttons say which key they act on to a screen reader, where the row is not seen.
    for (const b of actions.querySelectorAll("button")) b.setAttribute("aria-label", `${b.textContent} key ${k.name}`);
  }
  const tr = row([
    k.name,
    el("code", "", k.id),
    k.tenant,
    k.project || "–",
    el("code", "", `${k.secretPrefix}…`),
    k.allowedModels.join(", ") || "tenant's",
    caps(k),
    Object.entries(k.metadata)
      .map(([name, v]) => `${name}=${v}`)
      .join(", ") || "–",
    when(k.createTimeMs),
    keyStatus(k),
    actions,
  ]);
  tr.dataset["keyId"] = k.id;
  tr.dataset["keyName"] = k.name;
  return tr;
}

/** Loads the first page of keys (or the next, with more), for the tenant in the filter or every one the caller may see. */
export async function loadKeys(more = false): Promise<void> {
  const body = byId("keys-table").querySelector("tbody")!;
  try {
    const res = await keys.listKeys({ tenant: value("keys-filter"), pageSize: 100, pageToken: more ? nextToken : "" });
    showError(errorLine());
    rememberTenants(res.keys);
    const rows = res.keys.map(keyRow);
    if (more) body.append(...rows);
    else body.replaceChildren(...rows);
    if (!more && rows.length === 0) body.append(row([el("em", "", "No keys yet.")]));
    nextToken = res.nextPageToken;
    byId("keys-more").hidden = !nextToken;
  } catch (e) {
    body.replaceChildren();
    showError(errorLine(), e);
  }
}

/** Shows a secret once: kept only in this field until "I have saved it" clears it. */
function showSecret(name: string, secret: string): void {
  byId("key-secret-name").textContent = name;
  const field = byId<HTMLInputElement>("key-secret-value");
  field.value = secret;
  byId("key-secret-copied").textContent = "";
  byId("key-secret").hidden = false;
  field.focus();
  field.select();
}

async function create(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  const expires = value("key-expires");
  // "k=v, k=v": a pair without "=" is a key with an empty value; the gateway checks the bounds.
  const metadata = Object.fromEntries(
    list(value("key-metadata")).map((pair) => {
      const at = pair.indexOf("=");
      return at < 0 ? [pair, ""] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
    }),
  );
  try {
    const res = await keys.createKey({
      tenant: value("key-tenant"),
      name: value("key-name"),
      project: value("key-project"),
      allowedModels: list(value("key-models")),
      limits: { requestsPerMinute: BigInt(Number(value("key-rpm") || 0)) },
      budget: { dailyUsd: Number(value("key-daily") || 0), monthlyUsd: Number(value("key-monthly") || 0) },
      metadata,
      expireTimeMs: expires ? BigInt(new Date(expires).getTime()) : 0n,
    });
    showError(errorLine());
    byId<HTMLFormElement>("key-create").reset();
    showSecret(res.key?.name ?? "", res.secret);
    await loadKeys();
  } catch (e) {
    showError(errorLine(), e);
  }
}

/** Asks in a modal dialog (keyboard-usable, Escape cancels); resolves to the button's value. */
function ask(dialog: HTMLDialogElement): Promise<string> {
  return new Promise((resolve) => {
    dialog.returnValue = "cancel";
    dialog.addEventListener("close", () => resolve(dialog.returnValue), { once: true });
    dialog.showModal();
  });
}

async function revoke(k: ApiKey): Promise<void> {
  byId("key-revoke-name").textContent = `${k.name} (${k.id})`;
  if ((await ask(byId<HTMLDialogElement>("key-revoke-dialog"))) !== "revoke") return;
  try {
    await keys.revokeKey({ id: k.id });
    showError(errorLine());
    await loadKeys();
  } catch (e) {
    showError(errorLine(), e);
  }
}

async function rotate(k: ApiKey): Promise<void> {
  byId("key-rotate-name").textContent = `${k.name} (${k.id})`;
  if ((await ask(byId<HTMLDialogElement>("key-rotate-dialog"))) !== "rotate") return;
  try {
    const res = await keys.rotateKey({ id: k.id, graceSeconds: BigInt(Number(value("key-rotate-grace") || 0)) });
    showError(errorLine());
    showSecret(res.key?.name ?? k.name, res.secret);
    await loadKeys();
  } catch (e) {
    showError(errorLine(), e);
  }
}

async function copySecret(): Promise<void> {
  const field = byId<HTMLInputElement>("key-secret-value");
  const said = byId("key-secret-copied");
  try {
    await navigator.clipboard.writeText(field.value);
    said.textContent = "Copied.";
  } catch {
    // No clipboard access (an insecure origin, or refused): leave it selected for the reader to copy.
    field.select();
    said.textContent = "Select and copy it yourself (Ctrl+C): the browser refused the clipboard.";
  }
}

/** Wires the page's controls; call once. */
export function setUpKeysPage(): void {
  byId<HTMLFormElement>("key-create").addEventListener("submit", (e) => void create(e));
  byId("keys-refresh").addEventListener("click", () => void loadKeys());
  byId("keys-filter").addEventListener("change", () => void loadKeys());
  byId("keys-more").addEventListener("click", () => void loadKeys(true));
  byId("key-secret-copy").addEventListener("click", () => void copySecret());
  byId("key-secret-done").addEventListener("click", () => {
    byId<HTMLInputElement>("key-secret-value").value = "";
    byId("key-secret").hidden = true;
  });
}
