import { randomBytes } from "node:crypto";
import { promises as fs } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { AlertmanagerClient } from "../alertmanager";
import { UpstreamError } from "../http";
import type { ReloadCoalescer } from "./coalescer";
import { Mutex, atomicWrite, fsyncDir, modeOrNull, readOrNull, run, unlinkIfExists } from "./fsutil";
import type { PushFailure, PushResult, PushStage, SyncState } from "./types";
import { configDifferences, type EquivalenceDifference } from "./yaml-equivalence";

export interface AlertmanagerFilePusherOptions {
  configPath: string;
  alertmanager: AlertmanagerClient;
  amtoolPath?: string;
  /** Default 0o640 (receiver configs carry secrets). */
  fileMode?: number;
  coalescer?: ReloadCoalescer;
  amtoolTimeoutMs?: number;
  hooks?: { beforeReload?: () => Promise<void> | void };
  /**
   * Directory (beside the config) holding receiver secrets, one file each (mode 0600), that the
   * configuration references with `*_file` settings. The pusher owns it: files not in the pushed
   * set are deleted after a successful push. Default `<config dir>/secrets`.
   */
  secretsDir?: string;
}

export interface AlertmanagerPushOptions {
  force?: boolean;
  /** Secret files to hold in the secrets directory, by file name (no path separators). */
  secrets?: Record<string, string>;
}

export interface AlertmanagerStatusDetails {
  /** Config file differs from desired (byte comparison). */
  fileDiffers: boolean;
  fileMissing: boolean;
  /** A secret file is missing or holds another value. */
  secretsDiffer?: boolean;
  /** Semantic differences between desired and the loaded config (config.original). */
  loadedDifferences: EquivalenceDifference[];
  reloadSuccessful?: boolean;
  error?: string;
}

export interface AlertmanagerSyncStatus {
  state: SyncState;
  details: AlertmanagerStatusDetails;
}

class StageError extends Error {
  constructor(
    readonly stage: PushStage,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function diffSummary(d: EquivalenceDifference[]): string {
  return d
    .slice(0, 5)
    .map((x) => `${x.path}: want ${JSON.stringify(x.desired)}, loaded ${JSON.stringify(x.loaded)}`)
    .join("; ");
}

export class AlertmanagerFilePusher {
  readonly configPath: string;
  readonly alertmanager: AlertmanagerClient;
  readonly amtoolPath: string;
  readonly fileMode: number;
  readonly secretsDir: string;
  readonly #opts: AlertmanagerFilePusherOptions;
  readonly #mutex = new Mutex();

  constructor(opts: AlertmanagerFilePusherOptions) {
    this.configPath = path.resolve(opts.configPath);
    this.alertmanager = opts.alertmanager;
    this.amtoolPath = opts.amtoolPath ?? "/usr/bin/amtool";
    this.fileMode = opts.fileMode ?? 0o640;
    this.secretsDir = path.resolve(opts.secretsDir ?? path.join(path.dirname(this.configPath), "secrets"));
    this.#opts = opts;
  }

  /** amtool check-config on a candidate config (in the config's directory); null when accepted, else amtool's message. */
  async check(content: string): Promise<string | null> {
    const dir = path.dirname(this.configPath);
    const tmp = path.join(dir, `.${path.basename(this.configPath)}.${process.pid}.${randomBytes(4).toString("hex")}.check.yml`);
    try {
      await fs.writeFile(tmp, content, { mode: this.fileMode, flag: "wx" });
      const res = await run(this.amtoolPath, ["check-config", tmp], { timeoutMs: this.#opts.amtoolTimeoutMs ?? 60_000 });
      if (res.code === 0) return null;
      return `amtool check-config failed: ${`${res.stderr}\n${res.stdout}`.split(tmp).join(path.basename(this.configPath)).trim() || `exit code ${res.code}`}`;
    } catch (err) {
      return errMsg(err);
    } finally {
      await unlinkIfExists(tmp).catch(() => {});
    }
  }

  /** amtool check-config → atomic write → reload → verify config.original; restores the old file on any failure. */
  push(content: string, opts: AlertmanagerPushOptions = {}): Promise<PushResult> {
    return this.#mutex.run(() => this.#push(content, opts));
  }

  async #push(content: string, opts: AlertmanagerPushOptions): Promise<PushResult> {
    let desiredDoc: unknown;
    try {
      desiredDoc = parseYaml(content) as unknown;
      if (desiredDoc === null || typeof desiredDoc !== "object" || Array.isArray(desiredDoc)) throw new Error("config must be a YAML mapping");
    } catch (err) {
      return this.#fail(new StageError("validate", `invalid Alertmanager config YAML: ${errMsg(err)}`, err), false);
    }

    let current: Buffer | null;
    let mode: number | null;
    try {
      current = await readOrNull(this.configPath);
      mode = await modeOrNull(this.configPath);
    } catch (err) {
      return this.#fail(new StageError("validate", `cannot read ${this.configPath}: ${errMsg(err)}`, err), false);
    }
    const secrets = opts.secrets ?? {};
    let secretsBefore: Map<string, Buffer | null>;
    try {
      for (const name of Object.keys(secrets)) if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith(".")) throw new Error(`invalid secret file name ${JSON.stringify(name)}`);
      secretsBefore = await this.#readSecrets(Object.keys(secrets));
    } catch (err) {
      return this.#fail(new StageError("validate", `cannot read the secrets directory: ${errMsg(err)}`, err), false);
    }
    const secretsChanged = [...secretsBefore].some(([name, buf]) => buf === null || buf.toString("utf8") !== secrets[name]);
    const changed = current === null || current.toString("utf8") !== content;
    if (!changed && !secretsChanged && !opts.force) return { ok: true, changed: false, written: [], deleted: [] };
    if (secretsChanged) {
      try {
        await this.#writeSecrets(secrets);
      } catch (err) {
        await this.#restoreSecrets(secretsBefore).catch(() => {});
        return this.#fail(new StageError("write", `writing secret files failed: ${errMsg(err)}`, err), false);
      }
    }

    // Validate in the config's own directory so relative template paths resolve as they will live;
    // the hidden temp name never collides with the real file.
    const dir = path.dirname(this.configPath);
    const tmp = path.join(dir, `.${path.basename(this.configPath)}.${process.pid}.${randomBytes(4).toString("hex")}.check.yml`);
    try {
      if (changed) {
        await fs.writeFile(tmp, content, { mode: this.fileMode, flag: "wx" });
        let res;
        try {
          res = await run(this.amtoolPath, ["check-config", tmp], { timeoutMs: this.#opts.amtoolTimeoutMs ?? 60_000 });
        } catch (err) {
          throw new StageError("validate", errMsg(err), err);
        }
        if (res.code !== 0) {
          const out = `${res.stderr}\n${res.stdout}`.split(tmp).join(path.basename(this.configPath)).trim();
          throw new StageError("validate", `amtool check-config failed: ${out || `exit code ${res.code}`}`);
        }
      }
    } catch (err) {
      await unlinkIfExists(tmp).catch(() => {});
      if (secretsChanged) await this.#restoreSecrets(secretsBefore).catch(() => {});
      return this.#fail(err instanceof StageError ? err : new StageError("validate", errMsg(err), err), false);
    }

    try {
      if (changed) {
        try {
          // Rename exactly the bytes amtool checked.
          await fs.chmod(tmp, this.fileMode);
          await fs.rename(tmp, this.configPath);
          await fsyncDir(dir);
        } catch (err) {
          await unlinkIfExists(tmp).catch(() => {});
          throw new StageError("write", `writing ${this.configPath} failed: ${errMsg(err)}`, err);
        }
      }
      await this.#opts.hooks?.beforeReload?.();
      try {
        await this.#reload();
      } catch (err) {
        const msg = err instanceof UpstreamError && err.status === 500 ? `Alertmanager rejected the new config: ${err.message}` : errMsg(err);
        throw new StageError("reload", msg, err);
      }
      try {
        const rs = await this.alertmanager.configReloadSuccessful();
        if (!rs.successful) throw new StageError("verify", "Alertmanager reports the last config reload as failed");
        const st = await this.alertmanager.status();
        const diffs = configDifferences(desiredDoc, parseYaml(st.config.original) as unknown);
        if (diffs.length) throw new StageError("verify", `Alertmanager loaded config differs from the pushed one: ${diffSummary(diffs)}`);
      } catch (err) {
        if (err instanceof StageError) throw err;
        throw new StageError("verify", `verifying loaded config failed: ${errMsg(err)}`, err);
      }
      const deleted = await this.#pruneSecrets(new Set(Object.keys(secrets))).catch(() => []);
      return { ok: true, changed: changed || secretsChanged, written: changed ? [this.configPath] : [], deleted };
    } catch (err) {
      if (secretsChanged) await this.#restoreSecrets(secretsBefore).catch(() => {});
      const rollbackError = await this.#rollback(current, mode);
      return this.#fail(err instanceof StageError ? err : new StageError("write", errMsg(err), err), true, rollbackError);
    }
  }

  status(desired: string, secrets: Record<string, string> = {}): Promise<AlertmanagerSyncStatus> {
    return this.#mutex.run(() => this.#status(desired, secrets));
  }

  async #status(desired: string, secrets: Record<string, string>): Promise<AlertmanagerSyncStatus> {
    const current = await readOrNull(this.configPath);
    const held = await this.#readSecrets(Object.keys(secrets));
    const details: AlertmanagerStatusDetails = {
      fileMissing: current === null,
      fileDiffers: current === null || current.toString("utf8") !== desired,
      loadedDifferences: [],
      secretsDiffer: [...held].some(([name, buf]) => buf === null || buf.toString("utf8") !== secrets[name]),
    };
    try {
      const rs = await this.alertmanager.configReloadSuccessful();
      details.reloadSuccessful = rs.successful;
      const st = await this.alertmanager.status();
      details.loadedDifferences = configDifferences(parseYaml(desired) as unknown, parseYaml(st.config.original) as unknown);
    } catch (err) {
      details.error = errMsg(err);
      if (err instanceof UpstreamError && (err.kind === "unreachable" || err.kind === "timeout")) return { state: "unreachable", details };
      return { state: "drifted", details };
    }
    const drifted = details.fileDiffers || !!details.secretsDiffer || details.loadedDifferences.length > 0 || details.reloadSuccessful === false;
    return { state: drifted ? "drifted" : "in_sync", details };
  }

  async #readSecrets(names: string[]): Promise<Map<string, Buffer | null>> {
    const out = new Map<string, Buffer | null>();
    for (const n of names) out.set(n, await readOrNull(path.join(this.secretsDir, n)));
    return out;
  }

  async #writeSecrets(secrets: Record<string, string>): Promise<void> {
    await fs.mkdir(this.secretsDir, { recursive: true, mode: 0o700 });
    await fs.chmod(this.secretsDir, 0o700);
    for (const [name, value] of Object.entries(secrets)) {
      const file = path.join(this.secretsDir, name);
      const cur = await readOrNull(file);
      if (cur === null || cur.toString("utf8") !== value || ((await modeOrNull(file)) ?? 0) !== 0o600) await atomicWrite(file, value, 0o600);
    }
  }

  async #restoreSecrets(before: Map<string, Buffer | null>): Promise<void> {
    for (const [name, buf] of before) {
      const file = path.join(this.secretsDir, name);
      if (buf === null) await unlinkIfExists(file);
      else await atomicWrite(file, buf, 0o600);
    }
  }

  /** Deletes secret files the pushed configuration no longer references (after it is live). */
  async #pruneSecrets(keep: Set<string>): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.secretsDir);
    } catch {
      return [];
    }
    const deleted: string[] = [];
    for (const n of names) {
      if (keep.has(n) || n.startsWith(".")) continue;
      await unlinkIfExists(path.join(this.secretsDir, n));
      deleted.push(path.join(this.secretsDir, n));
    }
    return deleted;
  }

  #reload(): Promise<void> {
    return this.#opts.coalescer ? this.#opts.coalescer.request() : this.alertmanager.reload();
  }

  async #rollback(previous: Buffer | null, mode: number | null): Promise<string | undefined> {
    const errors: string[] = [];
    try {
      if (previous === null) await unlinkIfExists(this.configPath);
      else await atomicWrite(this.configPath, previous, mode ?? this.fileMode);
    } catch (err) {
      errors.push(`restoring ${this.configPath}: ${errMsg(err)}`);
    }
    if (previous !== null) {
      try {
        await this.#reload();
      } catch (err) {
        errors.push(`reload after rollback: ${errMsg(err)}`);
      }
    }
    return errors.length ? errors.join("; ") : undefined;
  }

  #fail(err: StageError, rolledBack: boolean, rollbackError?: string): PushFailure {
    const out: PushFailure = { ok: false, stage: err.stage, error: err.message, rolledBack };
    if (err.cause !== undefined) out.cause = err.cause;
    if (rollbackError) out.rollbackError = rollbackError;
    return out;
  }
}
