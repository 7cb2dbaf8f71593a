import "server-only";

type Listener = (reason: string) => void;
const listeners: Listener[] = [];

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
