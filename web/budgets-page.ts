/**
 * The Budgets page: each level of a tenant (tenant, projects, keys, end
 * users) with what it has spent today and this month against its caps, on a
 * bar marked at 50, 80 and 100 %. GetBudgets counts runtime keys and users
 * only when named, so the page names the tenant's runtime keys (from
 * KeyService, which also has their caps) and the users typed in.
 */
import type { BudgetLevelStatus } from "../gen/ts/llmgateway/v1/budgets_pb.js";
import type { ApiKey } from "../gen/ts/llmgateway/v1/key_service_pb.js";
import { admin, keys } from "./client.js";
import { byId, el, list, showError, usd } from "./dom.js";

/** GetBudgets' bound on keys and users named in one call. */
const MAX_NAMED = 100;
const MARKS = [50, 80, 100];

/** The tenant's runtime keys, when the caller may list them (an admin may; otherwise the levels come without them). */
async function runtimeKeys(tenant: string): Promise<ApiKey[]> {
  try {
    return (await keys.listKeys({ tenant, pageSize: MAX_NAMED })).keys;
  } catch {
    return [];
  }
}

/** Which of the 50/80/100 % marks a spend has reached: the bar's colour says it. */
export const band = (spent: number, cap: number) => {
  const pct = (spent / cap) * 100;
  return pct >= 100 ? "over" : pct >= 80 ? "high" : pct >= 50 ? "warn" : "ok";
};

/** One period's bar: a meter for assistive technology, the marks drawn on it, and the figures in words. */
function meter(label: string, spent: number, cap: number): HTMLElement {
  const box = el("div", "budget-period");
  const words = cap ? `${usd(spent)} of ${usd(cap)} (${((spent / cap) * 100).toFixed(1)} %)` : "no cap (not counted)";
  box.append(el("span", "budget-label", `${label}: `), el("span", "budget-figures", words));
  if (!cap) return box;
  const bar = el("div", `budget-bar band-${band(spent, cap)}`);
  bar.setAttribute("role", "meter");
  bar.setAttribute("aria-label", `${label} spending`);
  bar.setAttribute("aria-valuemin", "0");
  bar.setAttribute("aria-valuemax", String(cap));
  bar.setAttribute("aria-valuenow", String(Math.min(spent, cap)));
  bar.setAttribute("aria-valuetext", words);
  const fill = el("div", "budget-fill");
  fill.style.width = `${Math.min(100, (spent / cap) * 100)}%`;
  bar.append(fill);
  for (const m of MARKS) {
    const mark = el("span", "budget-mark", `${m}%`);
    mark.style.left = `${m}%`;
    mark.setAttribute("aria-hidden", "true");
    bar.append(mark);
  }
  box.append(bar);
  return box;
}

function levelCard(l: BudgetLevelStatus, names: Map<string, ApiKey>): HTMLElement {
  const key = l.level === "key" ? names.get(l.id) : undefined;
  // A runtime key's caps live in KeyService; GetBudgets reports its spending with no caps.
  const daily = l.dailyBudgetUsd || key?.budget?.dailyUsd || 0;
  const monthly = l.monthlyBudgetUsd || key?.budget?.monthlyUsd || 0;
  const card = el("article", "budget-level");
  card.dataset["level"] = l.level;
  card.dataset["id"] = l.id;
  card.append(
    el("h3", "", `${l.level}: ${key ? `${key.name} (${l.id})` : l.id}`),
    meter("Today", l.spentTodayUsd, daily),
    meter("This month", l.spentThisMonthUsd, monthly),
  );
  return card;
}

/** Loads the levels of the tenant in the form. */
export async function loadBudgets(): Promise<void> {
  const tenant = byId<HTMLInputElement>("budgets-tenant").value.trim();
  const out = byId("budgets-levels");
  const errorLine = byId("budgets-error");
  if (!tenant) {
    out.replaceChildren(el("p", "hint", "Name a tenant to see its budget levels."));
    return;
  }
  const users = list(byId<HTMLInputElement>("budgets-users").value);
  // Only capped levels are counted, so an uncapped runtime key would only ever read $0.
  const found = (await runtimeKeys(tenant)).filter((k) => k.budget?.dailyUsd || k.budget?.monthlyUsd);
  const named = found.slice(0, Math.max(0, MAX_NAMED - users.length));
  try {
    const res = await admin.getBudgets({ tenant, keyIds: named.map((k) => k.id), users });
    showError(errorLine);
    const names = new Map(named.map((k) => [k.id, k]));
    out.replaceChildren(...res.levels.map((l) => levelCard(l, names)));
  } catch (e) {
    out.replaceChildren();
    showError(errorLine, e);
  }
}

/** Wires the page's form; call once. */
export function setUpBudgetsPage(): void {
  byId<HTMLFormElement>("budgets-form").addEventListener("submit", (e) => {
    e.preventDefault();
    void loadBudgets();
  });
}
