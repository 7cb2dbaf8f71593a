import { execFile } from "node:child_process";
import { existsSync } from "node:fs";

export const PROMTOOL = "/usr/bin/promtool";
export const AMTOOL = "/usr/bin/amtool";

/** Fails (never skips) when a real tool is missing: these tests are the point of the goldens. */
export function requireTool(path: string): string {
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing. Install it with: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager ` +
        "(the test command installs them on fresh machines).",
    );
  }
  return path;
}

export type RunResult = { code: number; stdout: string; stderr: string };

export function run(bin: string, args: string[], cwd?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(requireTool(bin), args, { cwd, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
