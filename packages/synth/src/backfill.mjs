// OpenMetrics backfill writer + promtool import.
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { spawn } from 'node:child_process';
import { JOB, K_LEN } from './model.mjs';

/**
 * Stream the model's series to an OpenMetrics file: one family after the other, series by series,
 * samples in time order, timestamps in seconds, `job`/`instance` labels as the live scrape sets them.
 * Samples at start, start+step, ..., <= end (start/end aligned down to the step).
 * @param {ReturnType<import('./model.mjs').createModel>} model
 * @param {{file:string, start:number, end:number, step?:number, filter?:(s:{family:string,name:string,labels:string,si:number,k:number})=>boolean}} opts
 */
export function writeOpenMetrics(model, { file, start, end, step = 60, filter }) {
  const t0 = performance.now();
  const s0 = Math.ceil(start / step) * step;
  const s1 = Math.floor(end / step) * step;
  if (s1 < s0) throw new Error('backfill range is empty');
  const n = (s1 - s0) / step + 1;
  const selected = filter ? model.series.filter(filter) : model.series;
  const siList = [...new Set(selected.map((s) => s.si))];

  // values[si][k] = Float64Array(n)
  const values = new Array(model.services.length);
  const tmp = new Float64Array(K_LEN);
  for (const si of siList) {
    const cols = Array.from({ length: K_LEN }, () => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      model.values(si, s0 + i * step, tmp);
      for (let k = 0; k < K_LEN; k++) cols[k][i] = tmp[k];
    }
    values[si] = cols;
  }
  const tsSuffix = new Array(n);
  for (let i = 0; i < n; i++) tsSuffix[i] = ` ${s0 + i * step}\n`;

  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'w');
  const CAP = 8 << 20;
  const buf = Buffer.allocUnsafe(CAP);
  let pos = 0;
  let bytes = 0;
  let samples = 0;
  let seriesCount = 0;
  const flush = () => {
    let off = 0;
    while (off < pos) off += fs.writeSync(fd, buf, off, pos - off);
    bytes += pos;
    pos = 0;
  };
  const writeStr = (str) => {
    if (pos + str.length * 3 > CAP) flush();
    pos += buf.write(str, pos, 'utf8');
  };
  const tsBytes = tsSuffix.map((x) => Buffer.from(x, 'latin1'));
  const digits = new Uint8Array(24);
  try {
    let family = '';
    for (const s of selected) {
      if (s.family !== family) {
        family = s.family;
        writeStr(`# HELP ${family} Synthetic demo data (Burnrate).\n# TYPE ${family} ${family === 'http_requests' ? 'counter' : 'histogram'}\n`);
      }
      const prefix = Buffer.from(`${s.name}{job="${JOB}",instance="${model.instance}",${s.labels}} `, 'utf8');
      const col = values[s.si][s.k];
      for (let i = 0; i < n; i++) {
        if (pos + 256 > CAP) flush();
        pos += prefix.copy(buf, pos);
        const v = col[i];
        if (Number.isSafeInteger(v) && v >= 0) {
          // fast integer formatting
          let x = v, d = 0;
          do { digits[d++] = 48 + (x % 10); x = Math.floor(x / 10); } while (x > 0);
          while (d > 0) buf[pos++] = digits[--d];
        } else {
          pos += buf.write(String(v), pos, 'latin1');
        }
        pos += tsBytes[i].copy(buf, pos);
      }
      samples += n;
      seriesCount++;
    }
    writeStr('# EOF\n');
    flush();
  } finally {
    fs.closeSync(fd);
  }
  return { file, start: s0, end: s1, step, series: seriesCount, samples, bytes, seconds: (performance.now() - t0) / 1000 };
}

/**
 * `promtool tsdb create-blocks-from openmetrics --max-block-duration=720h <file> <outDir>`
 * (the hidden flag makes promtool parse the input once instead of once per 2h block).
 */
export function importOpenMetrics({ promtool = '/usr/bin/promtool', file, outDir, maxBlockDuration = '720h' }) {
  const t0 = performance.now();
  fs.mkdirSync(outDir, { recursive: true });
  return new Promise((resolve, reject) => {
    const p = spawn(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', `--max-block-duration=${maxBlockDuration}`, file, outDir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, GOGC: process.env.GOGC ?? '400' } });
    let out = '';
    p.stdout.on('data', (d) => { out += d; if (out.length > 1e6) out = out.slice(-1e5); });
    p.stderr.on('data', (d) => { out += d; if (out.length > 1e6) out = out.slice(-1e5); });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code === 0) resolve({ seconds: (performance.now() - t0) / 1000, output: out.slice(-2000) });
      else reject(new Error(`promtool create-blocks-from failed (rc=${code}): ${out.slice(-2000)}`));
    });
  });
}

/**
 * Generate and import [start, end] into outDir (a fresh Prometheus data dir, or a block dir that
 * is moved into one). promtool's import is single-threaded (~5 us per sample), so the series are
 * split into two files of about the same size; the first file is imported while the second one is
 * generated, and both imports run in parallel. The .om files are deleted afterwards unless keepFiles.
 */
export async function backfill(model, { outDir, start, end, step = 60, promtool = '/usr/bin/promtool', tmpDir, keepFiles = false, parts = Math.min(2, os.availableParallelism()), filter }) {
  const t0 = performance.now();
  const dir = tmpDir ?? path.dirname(path.resolve(outDir));
  fs.mkdirSync(dir, { recursive: true });
  const all = filter ? model.series.filter(filter) : model.series;
  // assign whole services to parts so the histogram family stays contiguous per file
  const bySize = new Map();
  for (const s of all) bySize.set(`${s.family}:${s.si}`, (bySize.get(`${s.family}:${s.si}`) ?? 0) + 1);
  const groups = [...bySize.entries()];
  const target = all.length / parts;
  const assign = new Map();
  let part = 0, acc = 0;
  for (const [key, size] of groups) {
    if (acc >= target * (part + 1) && part < parts - 1) part++;
    assign.set(key, part);
    acc += size;
  }
  const gens = [];
  const imports = [];
  const files = [];
  const usedParts = [...new Set(assign.values())];
  for (const p of usedParts) {
    const file = path.join(dir, `backfill-${process.pid}-${Date.now()}-${p}.om`);
    files.push(file);
    const gen = writeOpenMetrics(model, { file, start, end, step, filter: (s) => (!filter || filter(s)) && assign.get(`${s.family}:${s.si}`) === p });
    gens.push(gen);
    imports.push(importOpenMetrics({ promtool, file, outDir }));
  }
  let imps;
  try {
    imps = await Promise.all(imports);
  } finally {
    if (!keepFiles) for (const f of files) fs.rmSync(f, { force: true });
  }
  const g0 = gens[0];
  return {
    start: g0.start,
    end: g0.end,
    step,
    series: gens.reduce((a, g) => a + g.series, 0),
    samples: gens.reduce((a, g) => a + g.samples, 0),
    bytes: gens.reduce((a, g) => a + g.bytes, 0),
    files: keepFiles ? files : undefined,
    generateSeconds: gens.reduce((a, g) => a + g.seconds, 0),
    importSeconds: Math.max(...imps.map((i) => i.seconds)),
    totalSeconds: (performance.now() - t0) / 1000,
  };
}
