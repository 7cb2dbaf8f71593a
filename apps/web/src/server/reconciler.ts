import "server-only";
import { env } from "~/lib/env";
import { encryptSecret } from "./crypto";
import { db } from "./db";
import { subscribeCatalogChanged } from "./services/hooks";
import { reconcileAll } from "./services/push";

type State = { started: boolean; running: boolean; again: string | null; waiters?: Array<() => void>; timer?: NodeJS.Timeout; debounce?: NodeJS.Timeout; lastRunAt?: Date };
const state = ((globalThis as unknown as { burnrateReconciler?: State }).burnrateReconciler ??= { started: false, running: false, again: null });

/**
 * Runs one reconcile pass; concurrent requests collapse into one follow-up pass, and a caller that
 * arrives during a pass resolves when that follow-up has finished ("Sync now" answers with the
 * state after its own pass, not with the state of a pass that started before it).
 */
export async function runReconcile(triggeredBy: string): Promise<void> {
  if (state.running) {
    state.again = triggeredBy;
    await new Promise<void>((resolve) => (state.waiters ??= []).push(resolve));
    return;
  }
  state.running = true;
  try {
    let next: string | null = triggeredBy;
    while (next) {
      const waiting = (state.waiters ??= []).splice(0);
      state.again = null;
      try {
        await reconcileAll(next);
        state.lastRunAt = new Date();
      } finally {
        for (const w of waiting) w();
      }
      next = state.again;
    }
  } finally {
    state.running = false;
    for (const w of (state.waiters ?? []).splice(0)) w();
  }
}

/**
 * Starts the background loop (every BURNRATE_RECONCILE_INTERVAL_SECONDS, 0 disables it) and the
 * catalogue-change trigger: an edit is pushed about half a second later, debounced so a burst of
 * edits produces one push.
 */
export function startReconciler(): void {
  if (state.started || env().BURNRATE_RECONCILER === "off") return;
  state.started = true;
  void ensureEnvTargets().catch((e: unknown) => console.error("[reconciler] could not register targets from the environment", e));
  const every = env().BURNRATE_RECONCILE_INTERVAL_SECONDS;
  if (every > 0) {
    // Self-scheduling loop: the next pass waits at least three times as long as the last one took,
    // so a large installation (a no-op pass reads the full rules list back) never spends more than
    // about a quarter of a core on drift checks.
    const loop = () => {
      const t0 = Date.now();
      void runReconcile("reconciler")
        .catch((e: unknown) => console.error("[reconciler]", e))
        .finally(() => {
          state.timer = setTimeout(loop, Math.max(every * 1000, 3 * (Date.now() - t0)));
          state.timer.unref();
        });
    };
    state.timer = setTimeout(loop, every * 1000);
    state.timer.unref();
  }
  subscribeCatalogChanged((reason) => {
    clearTimeout(state.debounce);
    state.debounce = setTimeout(() => void runReconcile(`catalog change (${reason})`).catch((e: unknown) => console.error("[reconciler]", e)), 500);
  });
}

/**
 * Registers push targets described by the environment (compose sets PROMETHEUS_URL +
 * BURNRATE_RULES_DIR, ALERTMANAGER_URL + BURNRATE_ALERTMANAGER_CONFIG, GRAFANA_URL +
 * GRAFANA_TOKEN), so a fresh install pushes without clicking. Existing targets of the same name
 * are left alone: the UI owns them after the first start.
 */
async function ensureEnvTargets(): Promise<void> {
  const e = env();
  const wanted = [
    e.PROMETHEUS_URL && e.BURNRATE_RULES_DIR ? { name: "env-prometheus", kind: "prometheus" as const, url: e.PROMETHEUS_URL, mode: "file", settings: { rulesDir: e.BURNRATE_RULES_DIR } } : null,
    e.ALERTMANAGER_URL && e.BURNRATE_ALERTMANAGER_CONFIG ? { name: "env-alertmanager", kind: "alertmanager" as const, url: e.ALERTMANAGER_URL, mode: "file", settings: { configPath: e.BURNRATE_ALERTMANAGER_CONFIG } } : null,
    e.GRAFANA_URL && e.GRAFANA_TOKEN && e.BURNRATE_SECRET_KEY ? { name: "env-grafana", kind: "grafana" as const, url: e.GRAFANA_URL, mode: "api", settings: {}, tokenCiphertext: encryptSecret(e.GRAFANA_TOKEN) } : null,
  ];
  for (const t of wanted) {
    if (!t) continue;
    // The demo launcher registers its own local targets for the same servers; do not double up.
    const same = await db().pushTarget.findFirst({ where: { OR: [{ name: t.name }, { kind: t.kind, url: t.url }] } });
    if (!same) await db().pushTarget.create({ data: t });
  }
}
