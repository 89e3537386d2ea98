/** Small DOM helpers the pages share: no framework, just elements. */
import { failureOf } from "./client.js";

/** An element with a class and text. */
export const el = <K extends keyof HTMLElementTagNameMap>(tag: K, cls = "", text = ""): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.textContent = text;
  return e;
};

/** The element with this id, typed by the caller. */
export const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A button with text (never an icon alone, so that screen readers and tests can name it). */
export function button(text: string, onClick: () => void, cls = ""): HTMLButtonElement {
  const b = el("button", cls, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

/** A table row of text cells. */
export function row(cells: (string | Node)[]): HTMLTableRowElement {
  const tr = el("tr");
  for (const c of cells) {
    const td = el("td");
    td.append(c);
    tr.append(td);
  }
  return tr;
}

/**
 * Shows a failed call in a page's status line: the code's name, the reason
 * and the server's message, so that a refusal reads as one and the page is
 * never left blank. An empty call clears it.
 */
export function showError(target: HTMLElement, e?: unknown): void {
  target.replaceChildren();
  target.hidden = e === undefined;
  if (e === undefined) return;
  const { code, reason, message } = failureOf(e);
  target.append(el("strong", "", code), reason && reason !== code ? ` (${reason})` : "", `: ${message}`);
}

/** Dollars: whole cents as such (caps), anything finer with enough digits to see a single small call move it. */
export const usd = (n: number) => `$${Math.abs(n * 100 - Math.round(n * 100)) < 1e-9 ? n.toFixed(2) : n.toFixed(6)}`;

/** A time in milliseconds since the epoch, in the reader's locale; 0 reads as "never". */
export const when = (ms: bigint | number) => (Number(ms) ? new Date(Number(ms)).toLocaleString() : "never");

/** The values of a comma-separated field, trimmed, empties dropped. */
export const list = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
