/**
 * Starts real Prometheus / Alertmanager processes on loopback ports (19300-19399) with temp dirs.
 * Each process gets its own process group (detached) so stop() kills the whole group.
 * Test files should use disjoint port sub-ranges because vitest runs files in parallel.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { openSync, closeSync, readFileSync, promises as fs, existsSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export const PROMETHEUS_BIN = "/usr/bin/prometheus";
export const PROMTOOL_BIN = "/usr/bin/promtool";
export const ALERTMANAGER_BIN = "/usr/bin/prometheus-alertmanager";
export const AMTOOL_BIN = "/usr/bin/amtool";

export const haveBinaries = [PROMETHEUS_BIN, PROMTOOL_BIN, ALERTMANAGER_BIN, AMTOOL_BIN].every((b) => existsSync(b));
// Fail loudly: a green run that silently skipped the real-server tests would prove nothing.
if (!haveBinaries) throw new Error("missing Debian prometheus/prometheus-alertmanager binaries; install them (npm test does: apt-get install prometheus prometheus-alertmanager) instead of skipping these tests");

const live = new Set<ChildProcess>();
process.once("exit", () => {
  for (const p of live) killGroup(p, "SIGKILL");
});

function killGroup(p: ChildProcess, sig: NodeJS.Signals): void {
  if (p.pid === undefined) return;
  try {
    process.kill(-p.pid, sig);
  } catch {
    // already gone
  }
}

export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

export async function freePort(lo: number, hi: number, avoid: Set<number> = new Set()): Promise<number> {
  for (let p = lo; p <= hi; p++) {
    if (avoid.has(p)) continue;
    if (await portFree(p)) return p;
  }
  throw new Error(`no free port in ${lo}-${hi}`);
}

export async function waitReady(url: string, proc: ChildProcess, logFile: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`process exited (${proc.exitCode ?? proc.signalCode}) before ready:\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      if (res.status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} not ready after ${timeoutMs}ms:\n${tail(logFile)}`);
}

function tail(file: string, n = 30): string {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-n).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface ServerHandle {
  url: string;
  port: number;
  dir: string;
  logFile: string;
  /** Reads the server log (for debugging assertions). */
  log(): string;
  stop(): Promise<void>;
  /** Stop and start again on the same port with the same dirs. */
  restart(): Promise<void>;
  /** Removes the temp dir (after stop). */
  cleanup(): Promise<void>;
}

interface SpawnSpec {
  bin: string;
  args: (port: number) => string[];
  dir: string;
  portRange: [number, number];
}

async function startManaged(spec: SpawnSpec): Promise<ServerHandle> {
  const logFile = path.join(spec.dir, "server.log");
  let proc: ChildProcess | null = null;
  let port = 0;

  const launch = async (fixedPort?: number): Promise<void> => {
    const tried = new Set<number>();
    for (let attempt = 0; attempt < 5; attempt++) {
      port = fixedPort ?? (await freePort(spec.portRange[0], spec.portRange[1], tried));
      tried.add(port);
      const fd = openSync(logFile, "a");
      const p = spawn(spec.bin, spec.args(port), { cwd: spec.dir, detached: true, stdio: ["ignore", fd, fd] });
      closeSync(fd);
      live.add(p);
      p.once("exit", () => live.delete(p));
      proc = p;
      try {
        await waitReady(`http://127.0.0.1:${port}`, p, logFile);
        return;
      } catch (err) {
        killGroup(p, "SIGKILL");
        const msg = String(err);
        if (fixedPort !== undefined || !/address already in use/i.test(msg)) throw err;
      }
    }
    throw new Error(`could not start ${spec.bin}`);
  };

  const stop = async (): Promise<void> => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once("exit", () => r()));
    killGroup(p, "SIGTERM");
    const t = setTimeout(() => killGroup(p, "SIGKILL"), 5000);
    await exited;
    clearTimeout(t);
  };

  await launch();
  const handle: ServerHandle = {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get port() {
      return port;
    },
    dir: spec.dir,
    logFile,
    log: () => tail(logFile, 10_000),
    stop,
    restart: async () => {
      await stop();
      await launch(port);
    },
    cleanup: async () => {
      await stop();
      await fs.rm(spec.dir, { recursive: true, force: true });
    },
  };
  return handle;
}

export interface PrometheusHandle extends ServerHandle {
  rulesDir: string;
  configFile: string;
}

export async function startPrometheus(opts: {
  portRange: [number, number];
  extraConfig?: string;
  extraArgs?: string[];
  /** Runs before the first start with the (empty) TSDB dir, e.g. to import backfilled blocks. */
  prepare?: (dataDir: string) => Promise<void>;
}): Promise<PrometheusHandle> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-prom-"));
  const rulesDir = path.join(dir, "rules");
  await fs.mkdir(rulesDir);
  await fs.mkdir(path.join(dir, "data"));
  const configFile = path.join(dir, "prometheus.yml");
  await fs.writeFile(
    configFile,
    [
      "global: {scrape_interval: 5s, evaluation_interval: 1s}",
      `rule_files: ['${rulesDir}/*.yml']`,
      "scrape_configs: []",
      opts.extraConfig ?? "",
    ].join("\n"),
  );
  if (opts.prepare) await opts.prepare(path.join(dir, "data"));
  const h = await startManaged({
    bin: PROMETHEUS_BIN,
    dir,
    portRange: opts.portRange,
    args: (port) => [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      "--rules.alert.resend-delay=2s",
      ...(opts.extraArgs ?? []),
    ],
  });
  return Object.assign(h, { rulesDir, configFile });
}

export interface AlertmanagerHandle extends ServerHandle {
  configFile: string;
}

export const MINIMAL_AM_CONFIG = `route:
  receiver: default
  group_by: [alertname]
  group_wait: 1s
  group_interval: 5s
  repeat_interval: 1h
receivers:
  - name: default
`;

export async function startAlertmanager(opts: { portRange: [number, number]; config?: string }): Promise<AlertmanagerHandle> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-am-"));
  await fs.mkdir(path.join(dir, "data"));
  const configFile = path.join(dir, "alertmanager.yml");
  await fs.writeFile(configFile, opts.config ?? MINIMAL_AM_CONFIG);
  const h = await startManaged({
    bin: ALERTMANAGER_BIN,
    dir,
    portRange: opts.portRange,
    args: (port) => [
      `--config.file=${configFile}`,
      `--storage.path=${path.join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=http://127.0.0.1:${port}`,
      "--cluster.listen-address=",
    ],
  });
  return Object.assign(h, { configFile });
}
