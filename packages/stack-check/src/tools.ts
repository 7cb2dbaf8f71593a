import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";

/** External validators and the Debian packages that ship them. */
export const TOOLS = {
  promtool: { bin: "/usr/bin/promtool", pkg: "prometheus" },
  amtool: { bin: "/usr/bin/amtool", pkg: "prometheus-alertmanager" },
} as const;

/**
 * Make sure promtool and amtool exist, installing the Debian packages when they are missing
 * (fresh machines / CI run as root). Throws instead of skipping when that is impossible.
 */
export function ensureTools(log: (s: string) => void = () => {}): void {
  const missing = Object.values(TOOLS).filter((t) => !existsSync(t.bin));
  if (missing.length === 0) return;
  const pkgs = missing.map((t) => t.pkg);
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    throw new Error(`missing ${missing.map((t) => t.bin).join(", ")}; install: sudo apt-get install -y ${pkgs.join(" ")}`);
  }
  log(`installing ${pkgs.join(" ")} for ${missing.map((t) => t.bin).join(", ")}`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const opts = { env, stdio: "inherit" as const, timeout: 540_000 };
  // The packages ship init scripts; make sure installing them does not start daemons
  // (a stray prometheus on :9090 would collide with tests that run their own).
  const policy = "/usr/sbin/policy-rc.d";
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, "#!/bin/sh\nexit 101\n", { mode: 0o755 });
  try {
    execFileSync("apt-get", ["update"], opts);
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", ...pkgs], opts);
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
  const still = missing.filter((t) => !existsSync(t.bin));
  if (still.length) throw new Error(`still missing after apt-get install: ${still.map((t) => t.bin).join(", ")}`);
}

export function runTool(bin: string, args: string[], cwd?: string): { code: number; output: string } {
  const r = spawnSync(bin, args, { cwd, encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
