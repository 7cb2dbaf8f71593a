// Shared between global-setup.ts and global-teardown.ts. Both run in the Playwright runner
// process, but may be loaded as separate module instances, so the state lives on globalThis.
import { readFileSync } from "node:fs";

export type E2eState = {
  /** Stopped in reverse order by the teardown. */
  stops: { name: string; stop: () => Promise<unknown> }[];
  tmpDirs: string[];
  /** Process logs copied to test-results/e2e-logs/ by the teardown (the temp dir is deleted). */
  logs: { name: string; file: string }[];
  logDir: string | null;
  stackDir: string | null;
};

export function e2eState(): E2eState {
  const g = globalThis as unknown as { __burnrateE2e?: E2eState };
  g.__burnrateE2e ??= { stops: [], tmpDirs: [], logs: [], logDir: null, stackDir: null };
  return g.__burnrateE2e;
}

export function log(msg: string): void {
  console.log(`[e2e] ${msg}`);
}

export function tail(file: string, chars = 3000): string {
  try {
    return readFileSync(file, "utf8").slice(-chars);
  } catch {
    return "(no log)";
  }
}
