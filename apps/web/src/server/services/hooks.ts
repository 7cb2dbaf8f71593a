import "server-only";

type Listener = (reason: string) => void;
// On globalThis: in a production build instrumentation.ts (which subscribes the reconciler) and the
// route handlers (which publish changes) are separate bundles with their own module instances, so
// a module-level array would never see the reconciler's subscription.
const listeners: Listener[] = ((globalThis as unknown as { burnrateCatalogListeners?: Listener[] }).burnrateCatalogListeners ??= []);

/** Subscribes to catalogue changes (the push reconciler uses this to sync soon after an edit). */
export function subscribeCatalogChanged(l: Listener): void {
  listeners.push(l);
}

export function onCatalogChanged(reason: string): void {
  for (const l of listeners) {
    try {
      l(reason);
    } catch (err) {
      console.error("[hooks] listener failed", err);
    }
  }
}
