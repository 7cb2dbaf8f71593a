import { createHash } from "node:crypto";
import { promises as fs } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { UpstreamError } from "../http";
import type { PrometheusClient } from "../prometheus";
import type { ReloadCoalescer } from "./coalescer";
import { Mutex, atomicWrite, modeOrNull, readOrNull, run, unlinkIfExists } from "./fsutil";
import type { PushFailure, PushStage, PushSuccess, SyncState } from "./types";

/** First line of every file this pusher owns. Files without it are never overwritten or deleted. */
export const MANAGED_HEADER = "# Managed by Burnrate. Do not edit: changes are overwritten on the next push.";
export const DEFAULT_MANAGED_PREFIXES = ["slo-", "burnrate-"] as const;

export interface RuleFile {
  /** File name inside rulesDir, e.g. "slo-checkout-availability.yml" (no directories). */
  path: string;
  content: string;
}

export interface GroupRef {
  file: string;
  name: string;
}

export interface RulesPushSuccess extends PushSuccess {
  /** Managed groups Prometheus reports after the push (file = basename). */
  groups: GroupRef[];
}
export type RulesPushResult = RulesPushSuccess | PushFailure;

export interface RulesPushOptions {
  /** Delete managed files that are not in `files`. Default true. */
  prune?: boolean;
  /** Override the managed file-name prefix(es) for this push. */
  managedPrefix?: string | readonly string[];
  /** Reload and verify even if nothing changed on disk (reconciler repair). */
  force?: boolean;
  /** Allow a pruning push with zero files to delete every managed file. Default false. */
  allowEmpty?: boolean;
  /** The caller already ran promtool on every file (checkFiles): skip the batch check. */
  prevalidated?: boolean;
}

export interface PrometheusFilePusherOptions {
  rulesDir: string;
  prometheus: PrometheusClient;
  promtoolPath?: string;
  /** Mode for written files. Default 0o644. */
  fileMode?: number;
  managedPrefix?: string | readonly string[];
  /** rulesDir as Prometheus sees it (if it runs in a container with another mount path). Default: rulesDir. */
  remoteRulesDir?: string;
  /** Share reloads with other pushers targeting the same Prometheus. */
  coalescer?: ReloadCoalescer;
  promtoolTimeoutMs?: number;
  /** Test hooks. */
  hooks?: { beforeReload?: () => Promise<void> | void };
}

export interface RulesStatusDetails {
  missingFiles: string[];
  modifiedFiles: string[];
  extraFiles: string[];
  /** Desired paths occupied by files without the managed header. */
  unmanagedConflicts: string[];
  missingGroups: GroupRef[];
  unexpectedGroups: GroupRef[];
  /** Groups with rules whose health is "err". */
  unhealthyGroups: GroupRef[];
  reloadSuccessful?: boolean;
  error?: string;
}

export interface RulesStatus {
  state: SyncState;
  details: RulesStatusDetails;
}

const FILE_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.ya?ml$/;

/** The file text as the pusher writes it: the managed header, then the content (idempotent). */
export function withManagedHeader(content: string): string {
  return withHeader(content);
}

function withHeader(content: string): string {
  const body = content.startsWith(MANAGED_HEADER) ? content.slice(MANAGED_HEADER.length).replace(/^\r?\n/, "") : content;
  return `${MANAGED_HEADER}\n${body.endsWith("\n") || body === "" ? body : `${body}\n`}`;
}

function isManagedContent(buf: Buffer | string): boolean {
  const s = typeof buf === "string" ? buf : buf.subarray(0, MANAGED_HEADER.length + 2).toString("utf8");
  return s.startsWith(`${MANAGED_HEADER}\n`) || s.startsWith(`${MANAGED_HEADER}\r\n`) || s === MANAGED_HEADER;
}

/**
 * Group names per file content, so the drift check of a large installation does not parse every
 * rule file's YAML on every pass (1,000 SLOs: 7–8 s of YAML parsing per pass without it). Keyed by
 * a hash of the content; bounded, oldest entries dropped first.
 */
const GROUP_NAMES_CACHE_MAX = 20_000;
const groupNamesCache = new Map<string, string[]>();

export function cachedGroupNamesOf(content: string): string[] {
  const k = createHash("sha256").update(content).digest("base64");
  const hit = groupNamesCache.get(k);
  if (hit) {
    // Refresh recency (Map keeps insertion order).
    groupNamesCache.delete(k);
    groupNamesCache.set(k, hit);
    return [...hit];
  }
  const names = groupNamesOf(content);
  groupNamesCache.set(k, names);
  if (groupNamesCache.size > GROUP_NAMES_CACHE_MAX) {
    const oldest = groupNamesCache.keys().next().value;
    if (oldest !== undefined) groupNamesCache.delete(oldest);
  }
  return [...names];
}

/** Group names declared in a rules file (throws on unparsable YAML). */
export function groupNamesOf(content: string): string[] {
  const doc = parseYaml(content) as unknown;
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== "object" || Array.isArray(doc)) throw new Error("rules file must be a YAML mapping with 'groups'");
  const groups = (doc as { groups?: unknown }).groups;
  if (groups === undefined || groups === null) return [];
  if (!Array.isArray(groups)) throw new Error("'groups' must be a list");
  return groups.map((g, i) => {
    const name = (g as { name?: unknown } | null)?.name;
    if (typeof name !== "string" || name === "") throw new Error(`group ${i + 1} has no name`);
    return name;
  });
}

const key = (g: GroupRef) => `${g.file}\u0000${g.name}`;
const sortRefs = (a: GroupRef[]) => a.sort((x, y) => (key(x) < key(y) ? -1 : key(x) > key(y) ? 1 : 0));

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

interface Snapshot {
  file: string;
  content: Buffer | null;
  mode: number | null;
}

class StageError extends Error {
  constructor(
    readonly stage: PushStage,
    message: string,
    readonly details?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export class PrometheusFilePusher {
  readonly rulesDir: string;
  readonly prometheus: PrometheusClient;
  readonly promtoolPath: string;
  readonly fileMode: number;
  readonly managedPrefixes: readonly string[];
  readonly #remoteDir: string;
  readonly #opts: PrometheusFilePusherOptions;
  readonly #mutex = new Mutex();
  /** Files with a managed name but without the managed header (hand-written), from the last scan. */
  #foreign = new Set<string>();

  constructor(opts: PrometheusFilePusherOptions) {
    this.rulesDir = path.resolve(opts.rulesDir);
    this.prometheus = opts.prometheus;
    this.promtoolPath = opts.promtoolPath ?? "/usr/bin/promtool";
    this.fileMode = opts.fileMode ?? 0o644;
    this.managedPrefixes = normPrefixes(opts.managedPrefix ?? DEFAULT_MANAGED_PREFIXES);
    this.#remoteDir = path.resolve(opts.remoteRulesDir ?? opts.rulesDir);
    this.#opts = opts;
  }

  /** Is `name` (a basename) in the managed namespace? (Content must also carry MANAGED_HEADER.) */
  isManagedName(name: string, prefixes: readonly string[] = this.managedPrefixes): boolean {
    return FILE_NAME_RE.test(name) && prefixes.some((p) => name.startsWith(p));
  }

  /** Validate → snapshot → atomic write/prune → reload → verify; restores the snapshot on any failure. */
  push(files: RuleFile[], opts: RulesPushOptions = {}): Promise<RulesPushResult> {
    return this.#mutex.run(() => this.#push(files, opts));
  }

  async #push(files: RuleFile[], opts: RulesPushOptions): Promise<RulesPushResult> {
    const prefixes = opts.managedPrefix !== undefined ? normPrefixes(opts.managedPrefix) : this.managedPrefixes;
    const prune = opts.prune ?? true;

    // ---- plan (part of "validate": nothing touched yet)
    let desired: Map<string, { content: string; groups: string[] }>;
    let onDisk: Map<string, Buffer>;
    try {
      desired = this.#normalizeDesired(files, prefixes);
      onDisk = await this.#scanManaged(prefixes);
      for (const name of desired.keys()) {
        if (onDisk.has(name)) continue;
        const existing = await readOrNull(path.join(this.rulesDir, name));
        if (existing !== null) {
          throw new StageError("validate", `refusing to overwrite ${name}: it exists but is not managed by Burnrate (no managed header)`);
        }
      }
      if (prune && desired.size === 0 && onDisk.size > 0 && !opts.allowEmpty) {
        throw new StageError("validate", `refusing to delete all ${onDisk.size} managed rule files: empty desired set (pass allowEmpty to confirm)`);
      }
    } catch (err) {
      return this.#fail(err, "validate", false);
    }

    const toWrite = [...desired].filter(([name, d]) => onDisk.get(name)?.toString("utf8") !== d.content).map(([name]) => name);
    const toDelete = prune ? [...onDisk.keys()].filter((name) => !desired.has(name)) : [];
    // Every name in toWrite comes from `desired`.
    const contentOf = (name: string): string => {
      const d = desired.get(name);
      if (d === undefined) throw new Error(`internal error: ${name} is not in the desired rule set`);
      return d.content;
    };

    // Groups expected afterwards: desired plus managed leftovers when not pruning.
    const expected: GroupRef[] = [];
    for (const [name, d] of desired) for (const g of d.groups) expected.push({ file: name, name: g });
    if (!prune) {
      for (const [name, buf] of onDisk) {
        if (desired.has(name)) continue;
        try {
          for (const g of cachedGroupNamesOf(buf.toString("utf8"))) expected.push({ file: name, name: g });
        } catch {
          // unparsable leftover: verification will report it
        }
      }
    }

    if (toWrite.length === 0 && toDelete.length === 0 && !opts.force) {
      return { ok: true, changed: false, written: [], deleted: [], groups: sortRefs(expected) };
    }

    // ---- validate with promtool in a temp dir
    if (toWrite.length > 0 && !opts.prevalidated) {
      try {
        await this.#promtoolCheck(toWrite.map((name) => ({ name, content: contentOf(name) })));
      } catch (err) {
        return this.#fail(err, "validate", false);
      }
    }

    // ---- snapshot
    const snapshot: Snapshot[] = [];
    try {
      for (const name of [...toWrite, ...toDelete]) {
        const file = path.join(this.rulesDir, name);
        snapshot.push({ file, content: await readOrNull(file), mode: await modeOrNull(file) });
      }
    } catch (err) {
      return this.#fail(err, "write", false);
    }

    const changed = toWrite.length > 0 || toDelete.length > 0;
    try {
      // ---- write
      try {
        for (const name of toWrite) await atomicWrite(path.join(this.rulesDir, name), contentOf(name), this.fileMode);
        for (const name of toDelete) await unlinkIfExists(path.join(this.rulesDir, name));
      } catch (err) {
        throw new StageError("write", `writing rule files failed: ${errMsg(err)}`, undefined, err);
      }

      await this.#opts.hooks?.beforeReload?.();

      // ---- reload
      try {
        await this.#reload();
      } catch (err) {
        let details: string | undefined;
        if (err instanceof UpstreamError && err.status === 500) details = await this.#diagnoseDisk();
        const msg = err instanceof UpstreamError && err.status === 500 ? `Prometheus rejected the new rules: ${err.message}` : errMsg(err);
        throw new StageError("reload", details ? `${msg}\n${details}` : msg, details, err);
      }

      // ---- verify
      const groups = await this.#verify(expected, prefixes);
      return { ok: true, changed, written: toWrite, deleted: toDelete, groups };
    } catch (err) {
      const stage = err instanceof StageError ? err.stage : "write";
      const rollbackError = await this.#rollback(snapshot);
      return this.#fail(err, stage, true, rollbackError);
    }
  }

  async #verify(expected: GroupRef[], prefixes: readonly string[]): Promise<GroupRef[]> {
    let loaded: GroupRef[];
    try {
      const rs = await this.prometheus.configReloadSuccessful();
      if (!rs.successful) throw new StageError("verify", "Prometheus reports the last config reload as failed");
      loaded = this.#managedLoaded(await this.prometheus.rules(), prefixes);
    } catch (err) {
      if (err instanceof StageError) throw err;
      throw new StageError("verify", `verifying loaded rules failed: ${errMsg(err)}`, undefined, err);
    }
    const diff = diffGroups(expected, loaded);
    if (diff.missing.length || diff.unexpected.length) {
      const parts: string[] = [];
      if (diff.missing.length) parts.push(`missing ${diff.missing.map((g) => `${g.file}/${g.name}`).join(", ")}`);
      if (diff.unexpected.length) parts.push(`unexpected ${diff.unexpected.map((g) => `${g.file}/${g.name}`).join(", ")}`);
      throw new StageError("verify", `Prometheus did not load the expected rule groups: ${parts.join("; ")}`);
    }
    return sortRefs(loaded);
  }

  /** Compares desired files with disk and with what Prometheus has loaded. Never writes. */
  status(desired: RuleFile[], opts: { managedPrefix?: string | readonly string[] } = {}): Promise<RulesStatus> {
    // Serialized with push() so a status never observes a half-applied push.
    return this.#mutex.run(() => this.#status(desired, opts));
  }

  async #status(desired: RuleFile[], opts: { managedPrefix?: string | readonly string[] }): Promise<RulesStatus> {
    const prefixes = opts.managedPrefix !== undefined ? normPrefixes(opts.managedPrefix) : this.managedPrefixes;
    const details: RulesStatusDetails = {
      missingFiles: [],
      modifiedFiles: [],
      extraFiles: [],
      unmanagedConflicts: [],
      missingGroups: [],
      unexpectedGroups: [],
      unhealthyGroups: [],
    };
    const want = this.#normalizeDesired(desired, prefixes);
    const onDisk = await this.#scanManaged(prefixes);
    for (const [name, d] of want) {
      const cur = onDisk.get(name);
      if (cur === undefined) {
        if ((await readOrNull(path.join(this.rulesDir, name))) !== null) details.unmanagedConflicts.push(name);
        else details.missingFiles.push(name);
      } else if (cur.toString("utf8") !== d.content) details.modifiedFiles.push(name);
    }
    for (const name of onDisk.keys()) if (!want.has(name)) details.extraFiles.push(name);

    const expected: GroupRef[] = [];
    for (const [name, d] of want) for (const g of d.groups) expected.push({ file: name, name: g });
    try {
      const rs = await this.prometheus.configReloadSuccessful();
      details.reloadSuccessful = rs.successful;
      const all = await this.prometheus.rules();
      const loaded = this.#managedLoaded(all, prefixes);
      const diff = diffGroups(expected, loaded);
      details.missingGroups = diff.missing;
      details.unexpectedGroups = diff.unexpected;
      for (const g of all) {
        const ref = this.#toManagedRef(g.file, g.name, prefixes);
        if (ref && g.rules.some((r) => r.health === "err")) details.unhealthyGroups.push(ref);
      }
    } catch (err) {
      if (err instanceof UpstreamError && (err.kind === "unreachable" || err.kind === "timeout")) {
        details.error = err.message;
        return { state: "unreachable", details };
      }
      details.error = errMsg(err);
      return { state: "drifted", details };
    }
    const drifted =
      details.missingFiles.length +
        details.modifiedFiles.length +
        details.extraFiles.length +
        details.unmanagedConflicts.length +
        details.missingGroups.length +
        details.unexpectedGroups.length >
        0 || details.reloadSuccessful === false;
    return { state: drifted ? "drifted" : "in_sync", details };
  }

  // ---------------------------------------------------------------- internals

  #normalizeDesired(files: RuleFile[], prefixes: readonly string[]): Map<string, { content: string; groups: string[] }> {
    const out = new Map<string, { content: string; groups: string[] }>();
    for (const f of files) {
      if (!FILE_NAME_RE.test(f.path) || f.path.includes("..")) {
        throw new StageError("validate", `invalid rule file name ${JSON.stringify(f.path)}: use a plain file name ending in .yml`);
      }
      if (!this.isManagedName(f.path, prefixes)) {
        throw new StageError("validate", `rule file ${f.path} does not start with a managed prefix (${prefixes.join(", ")})`);
      }
      if (out.has(f.path)) throw new StageError("validate", `duplicate rule file ${f.path}`);
      const content = withHeader(f.content);
      let groups: string[];
      try {
        groups = cachedGroupNamesOf(content);
      } catch (err) {
        throw new StageError("validate", `${f.path}: ${errMsg(err)}`);
      }
      out.set(f.path, { content, groups });
    }
    return out;
  }

  /** Managed files currently in rulesDir: managed name AND managed header. */
  async #scanManaged(prefixes: readonly string[]): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    this.#foreign = new Set();
    let entries: string[];
    try {
      entries = await fs.readdir(this.rulesDir);
    } catch (err) {
      throw new StageError("validate", `cannot read rules directory ${this.rulesDir}: ${errMsg(err)}`, undefined, err);
    }
    for (const name of entries.sort()) {
      if (!this.isManagedName(name, prefixes)) continue;
      const buf = await readOrNull(path.join(this.rulesDir, name));
      if (buf !== null && isManagedContent(buf)) out.set(name, buf);
      else if (buf !== null) this.#foreign.add(name);
    }
    return out;
  }

  #toManagedRef(file: string, name: string, prefixes: readonly string[]): GroupRef | null {
    const base = path.basename(file);
    if (!this.isManagedName(base, prefixes) || this.#foreign.has(base)) return null;
    if (path.isAbsolute(file) && path.dirname(path.resolve(file)) !== this.#remoteDir) return null;
    return { file: base, name };
  }

  #managedLoaded(groups: { file: string; name: string }[], prefixes: readonly string[]): GroupRef[] {
    const out: GroupRef[] = [];
    for (const g of groups) {
      const ref = this.#toManagedRef(g.file, g.name, prefixes);
      if (ref) out.push(ref);
    }
    return out;
  }

  /**
   * promtool per file: the files promtool refuses, each with its own message (a batch is checked in
   * one call; only a failing batch is re-checked file by file). Never throws for a refused file.
   */
  async checkFiles(files: RuleFile[]): Promise<Array<{ path: string; error: string }>> {
    const named = files.map((f) => ({ name: f.path, content: withHeader(f.content) }));
    const refused: Array<{ path: string; error: string }> = [];
    for (let i = 0; i < named.length; i += 200) {
      const batch = named.slice(i, i + 200);
      try {
        await this.#promtoolCheck(batch);
        continue;
      } catch {
        // one or more refused: find which
      }
      for (const f of batch) {
        try {
          await this.#promtoolCheck([f]);
        } catch (err) {
          refused.push({ path: f.name, error: errMsg(err) });
        }
      }
    }
    return refused;
  }

  /** Current content of managed files in rulesDir (null when absent or not managed). */
  async managedContent(names: string[]): Promise<Map<string, string | null>> {
    const out = new Map<string, string | null>();
    for (const name of names) {
      if (!this.isManagedName(name)) {
        out.set(name, null);
        continue;
      }
      const buf = await readOrNull(path.join(this.rulesDir, name));
      out.set(name, buf !== null && isManagedContent(buf) ? buf.toString("utf8") : null);
    }
    return out;
  }

  async #promtoolCheck(files: { name: string; content: string }[]): Promise<void> {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), "burnrate-promtool-"));
    try {
      const paths: string[] = [];
      for (const f of files) {
        const p = path.join(dir, f.name);
        await fs.writeFile(p, f.content, { mode: 0o600 });
        paths.push(p);
      }
      // Batch to stay far below ARG_MAX.
      for (let i = 0; i < paths.length; i += 200) {
        const batch = paths.slice(i, i + 200);
        let res;
        try {
          res = await run(this.promtoolPath, ["check", "rules", ...batch], { timeoutMs: this.#opts.promtoolTimeoutMs ?? 120_000 });
        } catch (err) {
          throw new StageError("validate", errMsg(err), undefined, err);
        }
        if (res.code !== 0) {
          const clean = (s: string) => s.split(`${dir}${path.sep}`).join("").trim();
          const stderr = clean(res.stderr);
          const stdout = clean(res.stdout);
          throw new StageError("validate", `promtool check rules failed: ${stderr || stdout || `exit code ${res.code}`}`, stdout || undefined);
        }
      }
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  }

  /** After a generic reload 500: run promtool over every rule file on disk to find the culprit. */
  async #diagnoseDisk(): Promise<string | undefined> {
    try {
      const names = (await fs.readdir(this.rulesDir)).filter((n) => /\.ya?ml$/.test(n) && !n.startsWith(".")).sort();
      if (names.length === 0) return undefined;
      const res = await run(this.promtoolPath, ["check", "rules", ...names.slice(0, 500)], { cwd: this.rulesDir, timeoutMs: 60_000 });
      if (res.code === 0) return undefined;
      return `promtool on ${this.rulesDir}: ${res.stderr.trim() || res.stdout.trim()}`;
    } catch {
      return undefined;
    }
  }

  #reload(): Promise<void> {
    return this.#opts.coalescer ? this.#opts.coalescer.request() : this.prometheus.reload();
  }

  /** Restores every snapshotted file exactly (deleting ones that did not exist), then reloads. */
  async #rollback(snapshot: Snapshot[]): Promise<string | undefined> {
    const errors: string[] = [];
    for (const s of snapshot) {
      try {
        if (s.content === null) await unlinkIfExists(s.file);
        else await atomicWrite(s.file, s.content, s.mode ?? this.fileMode);
      } catch (err) {
        errors.push(`restoring ${path.basename(s.file)}: ${errMsg(err)}`);
      }
    }
    try {
      await this.#reload();
    } catch (err) {
      errors.push(`reload after rollback: ${errMsg(err)}`);
    }
    return errors.length ? errors.join("; ") : undefined;
  }

  #fail(err: unknown, fallbackStage: PushStage, rolledBack: boolean, rollbackError?: string): PushFailure {
    const stage = err instanceof StageError ? err.stage : fallbackStage;
    const out: PushFailure = { ok: false, stage, error: errMsg(err), rolledBack };
    if (err instanceof StageError) {
      if (err.details) out.details = err.details;
      if (err.cause !== undefined) out.cause = err.cause;
    } else {
      out.cause = err;
    }
    if (rollbackError) out.rollbackError = rollbackError;
    return out;
  }
}

function normPrefixes(p: string | readonly string[]): readonly string[] {
  const arr = typeof p === "string" ? [p] : [...p];
  if (arr.length === 0 || arr.some((x) => x === "")) throw new TypeError("managedPrefix must be non-empty");
  return arr;
}

export function diffGroups(expected: GroupRef[], loaded: GroupRef[]): { missing: GroupRef[]; unexpected: GroupRef[] } {
  const e = new Set(expected.map(key));
  const l = new Set(loaded.map(key));
  return {
    missing: sortRefs(expected.filter((g) => !l.has(key(g)))),
    unexpected: sortRefs(loaded.filter((g) => !e.has(key(g)))),
  };
}
