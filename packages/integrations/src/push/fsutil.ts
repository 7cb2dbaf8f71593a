import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";

/** Reads a file, returning null when it does not exist. */
export async function readOrNull(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

export async function modeOrNull(file: string): Promise<number | null> {
  try {
    return (await fs.stat(file)).mode & 0o7777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
}

/**
 * Writes `data` to `file` atomically: a hidden temp file in the same directory (its name does not end
 * in .yml, so rule_files globs never match it), fsync, rename over the target, fsync the directory.
 */
export async function atomicWrite(file: string, data: string | Buffer, mode: number): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
  const fh = await fs.open(tmp, "wx", mode);
  try {
    await fh.writeFile(data);
    await fh.chmod(mode); // umask may have narrowed the mode given to open()
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await fsyncDir(dir);
}

export async function fsyncDir(dir: string): Promise<void> {
  try {
    const dh = await fs.open(dir, "r");
    try {
      await dh.sync();
    } finally {
      await dh.close();
    }
  } catch {
    // Not supported on every platform/filesystem; the rename itself is still atomic.
  }
}

export async function unlinkIfExists(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a binary without a shell. Never rejects for a non-zero exit; rejects only if it cannot start. */
export function run(bin: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      bin,
      args,
      // eslint-disable-next-line no-restricted-properties -- forwards the inherited environment to the child (plus LANG=C); no configuration is read here
      { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 1024 * 1024, cwd: opts.cwd, env: { ...process.env, LANG: "C" } },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === "string") {
          reject(new Error(`cannot run ${bin}: ${(err as NodeJS.ErrnoException).code}`));
          return;
        }
        let code = 0;
        if (err) {
          const e = err as { code?: number | null; killed?: boolean; signal?: string | null };
          code = typeof e.code === "number" ? e.code : 1;
          if (e.killed || e.signal) stderr = `${stderr}\n${bin} was killed (${e.signal ?? "timeout"})`;
        }
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** Serializes async operations (one in-process mutex per pusher). */
export class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#tail.then(fn, fn);
    this.#tail = next.catch(() => undefined);
    return next;
  }
}
