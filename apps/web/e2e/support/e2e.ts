// Test-side helpers: the URLs global-setup.ts exported, the `test` fixture with the app's base
// URL, and small clients for the Burnrate API, Prometheus, Alertmanager and the webhook harness.
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { test as base, expect, type APIRequestContext, type APIResponse, type Page } from "@playwright/test";

/** An E2E_* variable the global setup exported, or a clear error when run outside `playwright test`. */
export function need(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run the suites through \`npx playwright test\` (e2e/global-setup.ts sets it)`);
  return v;
}

export const env = {
  get baseUrl() {
    return need("E2E_BASE_URL");
  },
  get prometheusUrl() {
    return need("E2E_PROMETHEUS_URL");
  },
  get alertmanagerUrl() {
    return need("E2E_ALERTMANAGER_URL");
  },
  get exporterUrl() {
    return need("E2E_EXPORTER_URL");
  },
  get harnessUrl() {
    return need("E2E_HARNESS_URL");
  },
  get rulesDir() {
    return need("E2E_RULES_DIR");
  },
};

/** `test` with baseURL pointing at the app started by the global setup (its port is dynamic). */
export const test = base.extend({
  // Playwright reads fixture dependencies from the destructuring pattern; this fixture has none.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, use) => {
    await use(env.baseUrl);
  },
});
export { expect };

// ---------------------------------------------------------------- Burnrate API

export type ApiResult<T = Record<string, unknown>> = { status: number; body: T; text: string };

async function result<T>(r: APIResponse): Promise<ApiResult<T>> {
  const text = await r.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: r.status(), body: body as T, text };
}

/** JSON calls against /api/v1 that return status and parsed body, whatever the status. */
export function api(request: APIRequestContext) {
  return {
    get: async <T = Record<string, unknown>>(path: string) => result<T>(await request.get(path)),
    post: async <T = Record<string, unknown>>(path: string, body?: unknown) => result<T>(await request.post(path, body === undefined ? {} : { data: body })),
    put: async <T = Record<string, unknown>>(path: string, body: unknown) => result<T>(await request.put(path, { data: body })),
    delete: async <T = Record<string, unknown>>(path: string) => result<T>(await request.delete(path)),
    /** Raw body with an explicit content type (for malformed-input tests). */
    raw: async <T = Record<string, unknown>>(method: "POST" | "PUT", path: string, body: string, contentType: string) =>
      // A Buffer is sent byte for byte; a string would be JSON-encoded for application/json.
      result<T>(await request.fetch(path, { method, data: Buffer.from(body, "utf8"), headers: { "content-type": contentType } })),
  };
}

export type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };
export type List<T> = { items: T[] };

// ---------------------------------------------------------------- Prometheus / Alertmanager

export type PromRule = { name: string; query: string; type: "recording" | "alerting"; health: string; state?: string; labels?: Record<string, string> };
export type PromGroup = { name: string; file: string; interval: number; rules: PromRule[] };
export type PromAlert = { labels: Record<string, string>; state: "pending" | "firing"; activeAt: string; value: string };

async function promGet<T>(path: string): Promise<T> {
  const r = await fetch(`${env.prometheusUrl}${path}`, { signal: AbortSignal.timeout(15_000) });
  const body = (await r.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(`Prometheus ${path}: ${body.error ?? r.status}`);
  return body.data;
}

export const prometheus = {
  rules: async (): Promise<PromGroup[]> => (await promGet<{ groups: PromGroup[] }>("/api/v1/rules")).groups,
  groupNames: async (prefix: string): Promise<string[]> => (await prometheus.rules()).map((g) => g.name).filter((n) => n.startsWith(prefix)).sort(),
  alerts: async (): Promise<PromAlert[]> => (await promGet<{ alerts: PromAlert[] }>("/api/v1/alerts")).alerts,
  /** Instant query; returns the vector's samples as numbers. */
  query: async (q: string, time?: number): Promise<{ metric: Record<string, string>; value: number }[]> => {
    const u = new URLSearchParams({ query: q, ...(time !== undefined ? { time: String(time) } : {}) });
    const d = await promGet<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?${u}`);
    return d.result.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  },
};

export type AmAlert = { labels: Record<string, string>; status: { state: string; inhibitedBy: string[]; silencedBy: string[] }; receivers: { name: string }[] };

export const alertmanager = {
  alerts: async (matchers: string[]): Promise<AmAlert[]> => {
    const u = new URLSearchParams(matchers.map((m) => ["filter", m]));
    const r = await fetch(`${env.alertmanagerUrl}/api/v2/alerts?${u}`, { signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`Alertmanager /api/v2/alerts: HTTP ${r.status}`);
    return (await r.json()) as AmAlert[];
  },
  /** The configuration Alertmanager has loaded (YAML text). */
  loadedConfig: async (): Promise<string> => {
    const r = await fetch(`${env.alertmanagerUrl}/api/v2/status`, { signal: AbortSignal.timeout(10_000) });
    return ((await r.json()) as { config: { original: string } }).config.original;
  },
};

// ---------------------------------------------------------------- harness (webhook receiver, Prometheus control)

export type WebhookAlert = { status: string; labels: Record<string, string> };
export type Received = { path: string; receivedAt: string; body: { receiver?: string; status?: string; alerts?: WebhookAlert[] } };

export const harness = {
  received: async (): Promise<Received[]> => ((await (await fetch(`${env.harnessUrl}/received`)).json()) as { items: Received[] }).items,
  stopPrometheus: async (): Promise<void> => control("stop"),
  startPrometheus: async (): Promise<void> => control("start"),
};

async function control(op: "stop" | "start"): Promise<void> {
  const r = await fetch(`${env.harnessUrl}/control/prometheus/${op}`, { method: "POST", signal: AbortSignal.timeout(60_000) });
  if (!r.ok) throw new Error(`harness could not ${op} Prometheus: ${await r.text()}`);
}

// ---------------------------------------------------------------- screenshots

/** Screenshots kept for review in test-results/screenshots/ (git-ignored). */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, "..", "..", "test-results", "screenshots");

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: opts.fullPage ?? true, animations: "disabled", timeout: 30_000 });
}

/** Parses "12.34%" / "-5.00%" as a fraction (0.1234); null for "—". */
export function parsePercent(text: string): number | null {
  const m = /(-?\d+(?:\.\d+)?)%/.exec(text);
  return m ? Number(m[1]) / 100 : null;
}

// ---------------------------------------------------------------- polling

/**
 * Polls `fn` until it reports done; on timeout fails with `what` and the last observed state, so a
 * failure says what was expected and what the system looked like instead.
 */
export async function waitFor<T>(what: string, fn: () => Promise<{ done: boolean; value: T; seen?: string }>, opts: { timeout: number; interval?: number }): Promise<T> {
  const end = Date.now() + opts.timeout;
  let seen = "(nothing observed yet)";
  for (;;) {
    try {
      const r = await fn();
      if (r.done) return r.value;
      if (r.seen !== undefined) seen = r.seen;
    } catch (err) {
      seen = `error: ${(err as Error).message}`;
    }
    if (Date.now() > end) throw new Error(`timed out after ${opts.timeout / 1000} s waiting for ${what}; last seen: ${seen}`);
    await new Promise((r) => setTimeout(r, opts.interval ?? 1000));
  }
}

/**
 * A push target's card on /targets as an operator sees it. The page refreshes every 10 s, and a
 * failing target briefly reads "drifted" while the reconciler retries it (status check, then
 * push), so this reloads until the expected state shows instead of trusting a single render.
 */
export async function expectTargetCard(page: Page, name: string, status: string, error?: string): Promise<void> {
  const card = page.getByTestId(`target-${name}`);
  await expect(async () => {
    await page.goto("/targets");
    await expect(card.getByTestId("target-status")).toHaveText(status, { timeout: 2_000 });
    if (error) await expect(card.getByTestId("target-error")).toContainText(error, { timeout: 1_000 });
    else await expect(card.getByTestId("target-error")).toHaveCount(0, { timeout: 1_000 });
  }).toPass({ timeout: 20_000, intervals: [500] });
}
