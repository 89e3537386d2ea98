import { mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { build } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest } from "../support/auth.js";
import { startHarness, type Harness } from "../support/harness.js";

/**
 * The dashboard pages (Keys, Budgets, Requests) in a real browser (Debian's
 * chromium, driven by playwright-core), built with Vite and served by the
 * gateway, against KeyService, AdminService.GetBudgets and ListRequests.
 * What the page shows is checked against what Node clients do with the
 * same gateway: a key made in the page is used by the openai SDK.
 */
const KEYS = { ops: "sk-dash-ops-admin", acme: "sk-dash-acme-keyadmin", viewer: "sk-dash-viewer" };
const ARTIFACTS = new URL("../../test-artifacts/", import.meta.url).pathname;
let h: Harness;
let browser: Browser;

beforeAll(async () => {
  const outDir = mkdtempSync(join(tmpdir(), "gw-dashboard-"));
  await build({
    configFile: new URL("../../web/vite.config.ts", import.meta.url).pathname,
    build: { outDir, emptyOutDir: true },
    logLevel: "error",
  });
  h = await startHarness({
    server: { playgroundDir: outDir },
    log: { prompts: true },
    auth: {
      tenants: [
        { name: "ops", admin: true, keys: [{ sha256: digest(KEYS.ops) }] },
        {
          name: "acme",
          keyAdmin: true,
          keys: [{ sha256: digest(KEYS.acme) }],
          budget: { dailyUsd: 10, monthlyUsd: 100 },
          projects: [{ name: "search", budget: { dailyUsd: 5 } }],
          userBudget: { dailyUsd: 1 },
        },
        { name: "viewer", keys: [{ sha256: digest(KEYS.viewer) }] },
      ],
    },
  });
  browser = await chromium.launch({
    executablePath: process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  mkdirSync(ARTIFACTS, { recursive: true });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A browser context whose pages send this key, as if a user had typed it before. */
async function contextWith(key: string, width = 1280): Promise<BrowserContext> {
  const context = await browser.newContext({
    viewport: { width, height: 900 },
    permissions: ["clipboard-read", "clipboard-write"],
  });
  await context.addInitScript((k) => localStorage.setItem("llmgw-key", k), key);
  return context;
}

const openai = (key: string) => new OpenAI({ baseURL: `${h.httpUrl}/v1`, apiKey: key, maxRetries: 0 });
const chat = (key: string, content: string, model = "gpt-test") =>
  openai(key).chat.completions.create({ model, user: "alice", messages: [{ role: "user", content }] });
/** The request log writes in batches behind the calls: this makes what was called readable now. */
const flushLog = () => h.app.requestLog!.writer.flush();
const usd6 = (n: number) => `$${n.toFixed(6)}`;

/** Creates a key through the page's form and returns its id and the secret shown once. */
async function createInPage(page: Page, fields: Record<string, string>): Promise<{ id: string; secret: string }> {
  for (const [id, value] of Object.entries(fields)) await page.fill(`#${id}`, value);
  await page.click("#key-create-submit");
  await page.locator("#key-secret").waitFor({ state: "visible" });
  const secret = await page.inputValue("#key-secret-value");
  const row = page.locator(`#keys-table tr[data-key-name="${fields["key-name"]}"]`);
  await row.waitFor();
  return { id: (await row.getAttribute("data-key-id"))!, secret };
}

describe("the dashboard with an admin key", () => {
  let context: BrowserContext;
  let page: Page;
  let key: { id: string; secret: string };
  beforeAll(async () => {
    context = await contextWith(KEYS.ops);
    page = await context.newPage();
  });
  afterAll(() => context?.close());

  it("creates a key in the page and shows its secret once, with a copy button and a warning", async () => {
    await page.goto(`${h.httpUrl}/#/keys`);
    await expect.poll(() => page.locator('nav a[aria-current="page"]').textContent()).toBe("Keys");
    // One page at a time: the playground is hidden while the Keys page shows.
    expect(await page.locator("#page-home").isHidden()).toBe(true);
    expect(await page.locator("#page-keys").isVisible()).toBe(true);
    key = await createInPage(page, {
      "key-name": "ci-bot",
      "key-tenant": "acme",
      "key-project": "search",
      "key-daily": "0.5",
      "key-metadata": "owner=ann, ticket=42",
    });
    expect(key.secret).toMatch(/^llmgw_/);
    expect(key.id).toMatch(/^key_[0-9a-f]{16}$/);
    expect(await page.locator("#key-secret").textContent()).toContain("you will not see it again");
    await page.click("#key-secret-copy");
    await expect.poll(() => page.locator("#key-secret-copied").textContent()).toBe("Copied.");
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key.secret);
    const row = page.locator(`#keys-table tr[data-key-id="${key.id}"]`);
    expect(await row.textContent()).toContain("$0.50/day");
    expect(await row.textContent()).toContain("owner=ann, ticket=42");
    expect(await row.textContent()).toContain(key.secret.slice(0, 12));
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-keys.png"), fullPage: true });
    await page.click("#key-secret-done");
    expect(await page.locator("#key-secret").isHidden()).toBe(true);
    // Once dismissed, the secret is nowhere in the page, and listing again never brings it back.
    await page.click("#keys-refresh");
    await row.waitFor();
    expect(await page.content()).not.toContain(key.secret);
  });

  it("shows each budget level's spend against its caps, and the spend moves after a call with the new key", async () => {
    // Reached with the keyboard: the navigation's links, then focus on the page's heading.
    await page.focus('nav a[data-page="budgets"]');
    await page.keyboard.press("Enter");
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Budgets");
    // The previous page hides as the new one shows, not necessarily by the time focus has moved.
    await expect.poll(() => page.locator("#page-keys").isHidden()).toBe(true);
    await page.fill("#budgets-tenant", "acme");
    await page.fill("#budgets-users", "alice");
    await page.click('#budgets-form button[type="submit"]');
    const card = (level: string, id: string) => page.locator(`.budget-level[data-level="${level}"][data-id="${id}"]`);
    await card("key", key.id).waitFor();
    expect(await card("key", key.id).textContent()).toContain("ci-bot");
    expect(await card("key", key.id).textContent()).toContain("$0.00 of $0.50 (0.0 %)");
    expect(await card("tenant", "acme").textContent()).toContain("of $10.00");
    expect(await card("project", "search").textContent()).toContain("of $5.00");
    expect(await card("user", "alice").textContent()).toContain("of $1.00");
    // Each capped period has its bar with the three marks.
    expect(await card("key", key.id).locator(".budget-mark").allTextContents()).toEqual(["50%", "80%", "100%"]);

    const res = await chat(key.secret, "hello from node");
    const cost = (res as unknown as { llm_gateway: { cost_usd: number } }).llm_gateway.cost_usd;
    expect(cost).toBeGreaterThan(0);
    await page.click('#budgets-form button[type="submit"]');
    for (const [level, id] of [
      ["key", key.id],
      ["project", "search"],
      ["tenant", "acme"],
      ["user", "alice"],
    ] as const)
      await expect.poll(() => card(level, id).locator(".budget-period").first().textContent()).toContain(usd6(cost));
    expect(await card("key", key.id).locator('[role="meter"]').first().getAttribute("aria-valuenow")).toBe(String(cost));
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-budgets.png"), fullPage: true });
  });

  it("colours a level by the mark its spend reached, and a call refused at that level shows in Requests with its reason", async () => {
    await page.goto(`${h.httpUrl}/#/keys`);
    // A cap that one small call (11 tokens in, at most 10 out, about $0.00003) takes past 50 %, and a second cannot fit under.
    const tight = await createInPage(page, { "key-name": "tight", "key-tenant": "acme", "key-daily": "0.00005" });
    const small = (content: string) =>
      openai(tight.secret).chat.completions.create({ model: "gpt-test", max_tokens: 10, messages: [{ role: "user", content }] });
    const res = await small("first");
    const cost = (res as unknown as { llm_gateway: { cost_usd: number } }).llm_gateway.cost_usd;
    const meter = async () => {
      await page.goto(`${h.httpUrl}/#/budgets`);
      await page.fill("#budgets-tenant", "acme");
      await page.click('#budgets-form button[type="submit"]');
      const bar = page.locator(`.budget-level[data-id="${tight.id}"] [role="meter"]`).first();
      await bar.waitFor();
      return bar;
    };
    const bar = await meter();
    const pct = ((cost / 0.00005) * 100).toFixed(1);
    expect(Number(pct)).toBeGreaterThanOrEqual(50);
    expect(Number(pct)).toBeLessThan(80);
    expect(await bar.getAttribute("class")).toContain("band-warn");
    expect(await bar.getAttribute("aria-valuetext")).toBe(`${usd6(cost)} of $0.000050 (${pct} %)`);
    // The second call is admitted with what is left and stopped at the cap (budgets are held while tokens
    // flow): refused with what it spent, which takes the level to its cap.
    const refused = await small("second").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    // Stopped within a token of the cap: past the 80 % mark (the page is asked again until it shows the new spend).
    const after = await meter();
    await expect
      .poll(async () => {
        await page.click('#budgets-form button[type="submit"]');
        return after.getAttribute("class");
      })
      .toMatch(/band-(high|over)/);
    await flushLog();
    await page.goto(`${h.httpUrl}/#/requests`);
    await page.fill("#req-key", tight.id);
    await page.fill("#req-status", "resource_exhausted");
    await page.click('#requests-form button[type="submit"]');
    const rows = page.locator("#requests-table tr.request");
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain("resource_exhausted (BUDGET_EXCEEDED)");
  });

  it("lists the key's calls in the Requests page, newest first and paged; a row opens to its details and prompt", async () => {
    // Twenty more calls, so that the key's calls fill more than one page of twenty.
    for (let i = 0; i < 20; i++) await chat(key.secret, `echo ${i}`, "local-echo");
    await flushLog();
    await page.goto(`${h.httpUrl}/#/requests`);
    await page.fill("#req-key", key.id);
    await page.fill("#req-status", "");
    await page.selectOption("#req-size", "20");
    await page.click('#requests-form button[type="submit"]');
    const rows = page.locator("#requests-table tr.request");
    await expect.poll(() => rows.count()).toBe(20);
    expect(await rows.first().textContent()).toContain("local-echo");
    expect(await page.isDisabled("#requests-older")).toBe(false);
    await page.click("#requests-older");
    await expect.poll(() => page.locator("#requests-page").textContent()).toBe("Page 2");
    await expect.poll(() => rows.count()).toBe(1);
    // The oldest of the key's calls: the one the openai SDK made through gpt-test.
    const first = rows.first();
    for (const part of ["acme", key.id, "alice", "gpt-test", "fake-openai", "ok"]) expect(await first.textContent()).toContain(part);
    const toggle = first.locator("button");
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    const details = page.locator("#requests-table tr.request-open:not([hidden])");
    for (const part of ["Request id", "Attempts", "fake-openai", "rest-openai", "chat.completions", "hello from node"])
      expect(await details.textContent()).toContain(part);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-requests.png"), fullPage: true });
    await page.click("#requests-newer");
    await expect.poll(() => rows.count()).toBe(20);
    // A filter nothing matches says so, rather than showing an empty table.
    await page.fill("#req-status", "resource_exhausted");
    await page.click('#requests-form button[type="submit"]');
    await expect.poll(() => page.locator("#requests-note").textContent()).toBe("No matching calls.");
  });

  it("rotates a key with a grace: the page shows the new secret once, and both secrets work", async () => {
    await page.goto(`${h.httpUrl}/#/keys`);
    // Made with the keyboard only: typing a name and Enter submits the form.
    await page.focus("#key-name");
    await page.keyboard.type("rotating");
    await page.keyboard.press("Tab");
    await page.keyboard.type("acme");
    await page.keyboard.press("Enter");
    await page.locator("#key-secret").waitFor({ state: "visible" });
    const old = await page.inputValue("#key-secret-value");
    await page.click('button[aria-label="Rotate key rotating"]');
    await page.fill("#key-rotate-grace", "600");
    await page.click('#key-rotate-dialog button[value="rotate"]');
    await expect.poll(() => page.inputValue("#key-secret-value")).not.toBe(old);
    const fresh = await page.inputValue("#key-secret-value");
    expect(fresh).toMatch(/^llmgw_/);
    await expect.poll(() => page.locator('#keys-table tr[data-key-name="rotating"]').textContent()).toContain("old secret valid until");
    for (const secret of [old, fresh]) expect((await chat(secret, "still works", "local-echo")).choices[0]?.message.content).toBeTruthy();
  });

  it("revokes a key after a confirmation (Escape cancels), and the gateway refuses it at once", async () => {
    await page.goto(`${h.httpUrl}/#/keys`);
    const revoke = page.locator('button[aria-label="Revoke key ci-bot"]');
    await revoke.click();
    await page.locator("#key-revoke-dialog").waitFor({ state: "visible" });
    expect(await page.locator("#key-revoke-dialog").textContent()).toContain(key.id);
    await page.keyboard.press("Escape");
    await page.locator("#key-revoke-dialog").waitFor({ state: "hidden" });
    expect((await chat(key.secret, "not yet revoked", "local-echo")).choices.length).toBe(1);
    await revoke.click();
    await page.click('#key-revoke-dialog button[value="revoke"]');
    const row = page.locator(`#keys-table tr[data-key-id="${key.id}"]`);
    await expect.poll(() => row.textContent()).toContain("revoked");
    expect(await row.locator("button").count()).toBe(0);
    const refused = await chat(key.secret, "after revoking", "local-echo").then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(401);
    expect(String((refused as Error).message)).toContain("revoked");
  });

  it.each(["keys", "budgets", "requests", ""])("fits a 390 px wide screen: page #/%s", async (route) => {
    const narrow = await context.newPage();
    try {
      await narrow.setViewportSize({ width: 390, height: 844 });
      await narrow.goto(`${h.httpUrl}/#/${route}`);
      if (route === "budgets") {
        await narrow.fill("#budgets-tenant", "acme");
        await narrow.click('#budgets-form button[type="submit"]');
        await narrow.locator(".budget-level").first().waitFor();
      }
      if (route === "keys") await narrow.locator("#keys-table tbody tr").first().waitFor();
      if (route === "requests") await narrow.locator("#requests-table tr.request").first().waitFor();
      // Wide tables scroll inside their own box; the page itself never scrolls sideways.
      expect(await narrow.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await narrow.screenshot({ path: join(ARTIFACTS, `dashboard-390-${route || "playground"}.png`), fullPage: true });
    } finally {
      await narrow.close();
    }
  });
});

describe("the dashboard with keys that are not admin keys", () => {
  it("shows a plain tenant's key the server's refusals, and only its own tenant's requests", async () => {
    await chat(KEYS.viewer, "viewer's own call", "local-echo");
    await flushLog();
    const context = await contextWith(KEYS.viewer);
    const page = await context.newPage();
    try {
      await page.goto(`${h.httpUrl}/#/keys`);
      await expect.poll(() => page.locator("#keys-error").textContent()).toContain("PERMISSION_DENIED");
      expect(await page.locator("#keys-error").textContent()).toContain("may not manage API keys");
      await page.goto(`${h.httpUrl}/#/budgets`);
      await page.fill("#budgets-tenant", "viewer");
      await page.click('#budgets-form button[type="submit"]');
      await expect.poll(() => page.locator("#budgets-error").textContent()).toContain("PERMISSION_DENIED");
      await page.goto(`${h.httpUrl}/#/requests`);
      const rows = page.locator("#requests-table tr.request");
      await rows.first().waitFor();
      const tenants = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1]?.textContent));
      expect(new Set(tenants)).toEqual(new Set(["viewer"]));
      await page.fill("#req-tenant", "acme");
      await page.click('#requests-form button[type="submit"]');
      await expect.poll(() => page.locator("#requests-error").textContent()).toContain("may read only its own requests");
      expect(await rows.count()).toBe(0);
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-denied.png"), fullPage: true });
    } finally {
      await context.close();
    }
  });

  it("shows a tenant's key admin its own tenant's keys only, and refuses it another tenant's", async () => {
    const context = await contextWith(KEYS.acme);
    const page = await context.newPage();
    try {
      await page.goto(`${h.httpUrl}/#/keys`);
      await page.locator('#keys-table tr[data-key-name="ci-bot"]').waitFor();
      const tenants = await page.locator("#keys-table tbody tr").evaluateAll((trs) => trs.map((tr) => tr.children[2]?.textContent));
      expect(new Set(tenants)).toEqual(new Set(["acme"]));
      await page.fill("#key-name", "not mine");
      await page.fill("#key-tenant", "ops");
      await page.click("#key-create-submit");
      await expect.poll(() => page.locator("#keys-error").textContent()).toContain("PERMISSION_DENIED");
      expect(await page.locator("#key-secret").isHidden()).toBe(true);
      // Bad input reads as the server's INVALID_ARGUMENT with its reason and the field it names.
      await page.fill("#key-tenant", "");
      await page.fill("#key-project", "no spaces allowed");
      await page.click("#key-create-submit");
      await expect.poll(() => page.locator("#keys-error").textContent()).toContain("INVALID_ARGUMENT (INVALID_REQUEST)");
      expect(await page.locator("#keys-error").textContent()).toContain("project");
    } finally {
      await context.close();
    }
  });
});
