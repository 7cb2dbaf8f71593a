/**
 * Coalesces reload requests: every request() made within `windowMs` of the first pending one
 * shares a single reload. A request that arrives while a reload is running schedules exactly one
 * more reload after it (files may have changed after the running reload read them), so a caller's
 * promise always resolves with the result of a reload that *started after* its request.
 */
export class ReloadCoalescer {
  readonly #reload: () => Promise<void>;
  readonly #windowMs: number;
  #pending: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | null = null;
  #timer: NodeJS.Timeout | null = null;
  #inFlight: Promise<void> | null = null;
  /** Number of reloads actually executed (for tests/metrics). */
  reloads = 0;

  constructor(reload: () => Promise<void>, windowMs = 50) {
    this.#reload = reload;
    this.#windowMs = windowMs;
  }

  request(): Promise<void> {
    if (this.#pending) return this.#pending.promise;
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.#pending = { promise, resolve, reject };
    this.#schedule();
    return promise;
  }

  #schedule(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      void this.#fire();
    }, this.#windowMs);
  }

  async #fire(): Promise<void> {
    if (this.#inFlight) {
      await this.#inFlight.catch(() => undefined);
    }
    const batch = this.#pending;
    if (!batch) return;
    this.#pending = null;
    this.reloads++;
    const p = this.#reload();
    this.#inFlight = p;
    try {
      await p;
      batch.resolve();
    } catch (err) {
      batch.reject(err);
    } finally {
      if (this.#inFlight === p) this.#inFlight = null;
    }
  }
}
