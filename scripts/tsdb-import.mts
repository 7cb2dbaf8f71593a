// Shared by the demo's backfills: write an input file, let promtool turn it into TSDB blocks, and
// move the blocks into the running Prometheus' data dir, which picks them up within about a minute.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * Runs `promtool tsdb create-blocks-from <args…> <input> <outDir>` (or with `--output-dir=` when
 * `outputFlag` is set, as `create-blocks-from rules` wants) and moves the blocks into `tsdbDir`.
 */
export function importBlocks(opts: { tsdbDir: string; inputName: string; input: string; args: string[]; outputFlag?: boolean; promtool?: string; timeoutMs?: number }): { ok: true; blocks: number } | { ok: false; message: string } {
  const work = mkdtempSync(join(tmpdir(), "burnrate-backfill-"));
  try {
    const file = join(work, opts.inputName);
    writeFileSync(file, opts.input);
    const out = join(work, "blocks");
    mkdirSync(out);
    const args = ["tsdb", "create-blocks-from", ...opts.args, ...(opts.outputFlag ? [`--output-dir=${out}`, file] : [file, out])];
    const r = spawnSync(opts.promtool ?? "/usr/bin/promtool", args, { encoding: "utf8", timeout: opts.timeoutMs ?? 600_000 });
    if (r.status !== 0) return { ok: false, message: `promtool failed: ${(r.stderr || r.stdout || String(r.error)).slice(0, 500)}` };
    let blocks = 0;
    for (const b of readdirSync(out)) {
      if (!existsSync(join(out, b, "meta.json"))) continue;
      renameSync(join(out, b), join(opts.tsdbDir, b));
      blocks++;
    }
    return { ok: true, blocks };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
