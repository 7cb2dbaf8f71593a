import "server-only";
import { env } from "~/lib/env";
import { subscribeCatalogChanged } from "./services/hooks";
import { reconcileAll } from "./services/push";

type State = { started: boolean; running: boolean; again: string | null; timer?: NodeJS.Timeout; debounce?: NodeJS.Timeout; lastRunAt?: Date };
const state = ((globalThis as unknown as { burnrateReconciler?: State }).burnrateReconciler ??= { started: false, running: false, again: null });

/** Runs one reconcile pass; concurrent requests collapse into one follow-up pass. */
export async function runReconcile(triggeredBy: string): Promise<void> {
  if (state.running) {
    state.again = triggeredBy;
    return;
  }
  state.running = true;
  try {
    await reconcileAll(triggeredBy);
    state.lastRunAt = new Date();
  } finally {
    state.running = false;
  }
  const next = state.again;
  if (next) {
    state.again = null;
    await runReconcile(next);
  }
}

/**
 * Starts the background loop (every BURNRATE_RECONCILE_INTERVAL_SECONDS, 0 disables it) and the
 * catalogue-change trigger: an edit is pushed about half a second later, debounced so a burst of
 * edits produces one push.
 */
export function startReconciler(): void {
  if (state.started) return;
  state.started = true;
  const every = env().BURNRATE_RECONCILE_INTERVAL_SECONDS;
  if (every > 0) {
    state.timer = setInterval(() => void runReconcile("reconciler").catch((e: unknown) => console.error("[reconciler]", e)), every * 1000);
    state.timer.unref();
  }
  subscribeCatalogChanged((reason) => {
    clearTimeout(state.debounce);
    state.debounce = setTimeout(() => void runReconcile(`catalog change (${reason})`).catch((e: unknown) => console.error("[reconciler]", e)), 500);
  });
}
