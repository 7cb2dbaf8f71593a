// Runs inside the Playwright runner process (started by global-setup.ts): a webhook receiver for
// Alertmanager and a small control API that lets tests stop and start the local Prometheus.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type ReceivedWebhook = { path: string; receivedAt: string; body: unknown };

export type PrometheusProcess = {
  url: string;
  /** pid of the running Prometheus (null while stopped) */
  pid: number | null;
  /** argv of the process as started by the local stack (read from /proc before the first stop) */
  argv: string[] | null;
  logFile: string;
  pidFile: string;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function stopPid(pid: number, timeoutMs = 15_000): Promise<void> {
  if (!alive(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!alive(pid)) return;
    await sleep(50);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
  while (alive(pid) && Date.now() < end + 5000) await sleep(50);
}

async function waitReady(url: string, timeoutMs: number, isAlive: () => boolean): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!isAlive()) throw new Error(`process behind ${url} exited before it was ready`);
    try {
      const r = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (r.status === 200) return;
    } catch {
      /* not yet */
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms`);
}

export async function stopPrometheus(p: PrometheusProcess): Promise<void> {
  if (p.pid === null) return;
  if (!p.argv) {
    // Remember how the local stack started it, so start() runs exactly the same command.
    p.argv = readFileSync(`/proc/${p.pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  }
  await stopPid(p.pid);
  p.pid = null;
}

export async function startPrometheus(p: PrometheusProcess): Promise<void> {
  if (p.pid !== null && alive(p.pid)) return;
  if (!p.argv) throw new Error("Prometheus was never stopped through the harness; nothing to restart");
  const [cmd, ...args] = p.argv;
  if (!cmd) throw new Error("empty Prometheus command line");
  const fd = openSync(p.logFile, "a");
  const child = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd] });
  closeSync(fd);
  child.on("error", () => {});
  child.unref();
  if (!child.pid) throw new Error(`could not start ${cmd}`);
  p.pid = child.pid;
  // stopLocalStack() in the teardown finds the restarted process through the stack's PID file.
  writeFileSync(p.pidFile, `${child.pid}\n`);
  const pid = child.pid;
  await waitReady(`${p.url}/-/ready`, 30_000, () => alive(pid));
}

/**
 * Webhook receiver + control API:
 *   POST /webhook/<name>            record the JSON body (Alertmanager webhook_configs point here)
 *   GET  /received                  every recorded POST, oldest first
 *   POST /control/prometheus/stop   stop the local Prometheus (SIGTERM, waits for exit)
 *   POST /control/prometheus/start  start it again with the same command line, waits for /-/ready
 */
export async function startHarness(prom: PrometheusProcess): Promise<{ url: string; received: ReceivedWebhook[]; close: () => Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/json" });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? "/").split("?")[0] ?? "/";
      if (req.method === "POST" && path.startsWith("/webhook/")) {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* keep the raw text */
        }
        received.push({ path, receivedAt: new Date().toISOString(), body });
        return send(200, { ok: true });
      }
      if (req.method === "GET" && path === "/received") return send(200, { items: received });
      if (req.method === "POST" && (path === "/control/prometheus/stop" || path === "/control/prometheus/start")) {
        const op = path.endsWith("stop") ? () => stopPrometheus(prom) : () => startPrometheus(prom);
        serial(op).then(
          () => send(200, { ok: true, pid: prom.pid }),
          (err: unknown) => send(500, { ok: false, error: (err as Error).message }),
        );
        return;
      }
      if (req.method === "GET" && path === "/control/prometheus") return send(200, { pid: prom.pid, running: prom.pid !== null && alive(prom.pid) });
      return send(404, { error: "not found" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
