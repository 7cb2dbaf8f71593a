import { describe, expect, it, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startLocalStack, stopLocalStack, modelFromDataDir, checkBinaries, readRuntimeIncidents, type LocalStack } from '@burnrate/synth';
import { stackPorts } from './ports';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-stack-'));
const stacks: LocalStack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const haveBinaries = checkBinaries().available;
if (!haveBinaries) throw new Error("missing Debian prometheus/prometheus-alertmanager binaries; install them (npm test does: apt-get install prometheus prometheus-alertmanager) instead of skipping these tests");
const PORTS = await stackPorts();
// 30 days at 60 s for the services the assertions use (the full 12-service backfill is ~4x the work;
// see README timings). The exporter still serves all 12 services live.
const BACKFILL_SERVICES = ['checkout', 'inventory', 'search'];

async function query(base: string, q: string, time?: number) {
  const u = new URL('/api/v1/query', base);
  u.searchParams.set('query', q);
  if (time !== undefined) u.searchParams.set('time', String(time));
  const r = await fetch(u);
  const body = (await r.json()) as { status: string; data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  expect(body.status).toBe('success');
  return body.data.result;
}
const one = (res: Array<{ value: [number, string] }>) => {
  expect(res).toHaveLength(1);
  return Number(res[0]!.value[1]);
};
const alive = (pid?: number) => {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('startLocalStack', () => {
  it('returns unavailable (no crash) when binaries are missing', async () => {
    const r = await startLocalStack({ dataDir: path.join(tmp, 'nobin'), ...PORTS, backfillDays: 0, binaries: { prometheus: '/nonexistent/prometheus', alertmanager: '/nonexistent/am' } });
    expect(r.available).toBe(false);
    if (!r.available) expect(r.reason).toMatch(/missing binaries: prometheus \(\/nonexistent\/prometheus\), alertmanager/);
    expect(fs.existsSync(path.join(tmp, 'nobin', 'prometheus'))).toBe(false);
  });

  it('backfills 30d, starts Prometheus + Alertmanager, PromQL matches the model, live tail is continuous', { timeout: 120_000 }, async () => {
    const dataDir = path.join(tmp, 'stack');
    const r = await startLocalStack({ dataDir, ...PORTS, backfillDays: 30, backfillServices: BACKFILL_SERVICES, scrapeInterval: '1s', evaluationInterval: '5s', resendDelay: '1s', webhookUrl: 'http://127.0.0.1:19259/hook' });
    if (!r.available) throw new Error(r.reason);
    stacks.push(r);
    console.log('stack timings', JSON.stringify({ ...r.timings, generate: r.backfill?.generateSeconds, import: r.backfill?.importSeconds, samples: r.backfill?.samples }));
    expect(r.backfill?.mode).toBe('initial');
    expect(r.backfill?.series).toBe(3 * 15);
    expect(fs.readFileSync(path.join(dataDir, 'prometheus.yml'), 'utf8')).toContain(`rule_files:\n  - "${path.join(dataDir, 'rules')}/*.yml"`);
    expect(fs.readFileSync(path.join(dataDir, 'alertmanager.yml'), 'utf8')).toContain('http://127.0.0.1:19259/hook');
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'demo-seed.json'), 'utf8')).deployments.length).toBeGreaterThan(50);
    expect((await fetch(`${r.alertmanagerUrl}/-/ready`)).status).toBe(200);

    const model = modelFromDataDir(dataDir);
    const end = r.backfill!.end;
    // 30d error ratio over the backfilled data == model, within a small tolerance
    const got30 = one(await query(r.prometheusUrl, 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[30d])) / sum(increase(http_requests_total{service="checkout"}[30d]))', end));
    const want30 = model.increase('checkout', end - 30 * 86400, end, '5xx') / model.increase('checkout', end - 30 * 86400, end);
    expect(Math.abs(got30 - want30) / want30).toBeLessThan(0.02);
    // inventory exhausted a 99.9% budget weeks ago
    const inv = one(await query(r.prometheusUrl, '1 - (sum(increase(http_requests_total{service="inventory",code=~"5.."}[30d])) / sum(increase(http_requests_total{service="inventory"}[30d]))) / 0.001', end));
    expect(inv).toBeLessThan(0);
    // latency histogram: fraction <= 0.3 s matches the model
    const lat = one(await query(r.prometheusUrl, 'sum(increase(http_request_duration_seconds_bucket{service="checkout",le="0.3"}[1d])) / sum(increase(http_request_duration_seconds_count{service="checkout"}[1d]))', end));
    const a = model.rawValues(0, end - 86400), b = model.rawValues(0, end);
    expect(Math.abs(lat - (b[7]! - a[7]!) / (b[13]! - a[13]!))).toBeLessThan(0.002);

    // wait for the first live scrapes (Prometheus applies new targets after ~5 s), then look across the seam
    const t0 = Date.now();
    while ((await query(r.prometheusUrl, 'count(up == 1) == 3')).length === 0) {
      if (Date.now() - t0 > 20_000) throw new Error('targets not up after 20 s');
      await new Promise((res) => setTimeout(res, 250));
    }
    await new Promise((res) => setTimeout(res, 2500));
    const now = Date.now() / 1000;
    const ratio1h = one(await query(r.prometheusUrl, 'sum(rate(http_requests_total{service="checkout",code=~"5.."}[1h])) / sum(rate(http_requests_total{service="checkout"}[1h]))'));
    expect(ratio1h).toBeGreaterThan(0.03); // ongoing fast burn (+6% for the last 40 min)
    const live10m = one(await query(r.prometheusUrl, 'sum(increase(http_requests_total{service="checkout"}[10m]))'));
    const model10m = model.increase('checkout', now - 600, now);
    // No jump at the seam. increase() extrapolates to the window edges; with 60 s backfilled samples
    // in a 10 m window that alone can be off by up to one sample interval (10%), so allow 12%: a
    // seam jump or fake reset is off by 100% or more (see the resets() check below).
    expect(Math.abs(live10m - model10m) / model10m).toBeLessThan(0.12);
    expect(one(await query(r.prometheusUrl, 'sum(resets(http_requests_total[2h])) + sum(resets(http_request_duration_seconds_bucket[2h]))'))).toBe(0);
    expect(one(await query(r.prometheusUrl, 'count(http_request_duration_seconds_bucket{service="checkout"})'))).toBe(9);
    expect(one(await query(r.prometheusUrl, 'count(up == 1)'))).toBe(3);

    // injected incident is persisted in the data dir
    expect((await fetch(`${r.exporterUrl}/incident?service=search&err=0.3&seconds=60`, { method: 'POST' })).status).toBe(201);
    expect(readRuntimeIncidents(dataDir).map((i) => i.service)).toEqual(['search']);

    // stop, restart on the same data: no second backfill, same history
    const pids = Object.values(r.pids);
    await r.stop();
    expect(pids.some(alive)).toBe(false);
    const r2 = await startLocalStack({ dataDir, ...PORTS, backfillDays: 30, backfillServices: BACKFILL_SERVICES, scrapeInterval: '1s' });
    if (!r2.available) throw new Error(r2.reason);
    stacks.push(r2);
    expect(r2.backfill).toBeNull();
    expect(r2.anchor).toBe(r.anchor);
    const again = one(await query(r2.prometheusUrl, 'sum(increase(http_requests_total{service="checkout",code=~"5.."}[30d])) / sum(increase(http_requests_total{service="checkout"}[30d]))', end));
    expect(again).toBeCloseTo(got30, 10);
    // a second start in the same data dir is refused cleanly
    const dup = await startLocalStack({ dataDir, ...(await stackPorts()) });
    expect(dup.available).toBe(false);
    // PID-file based stop (what `stack.mjs down` does)
    const stopped = await stopLocalStack(dataDir);
    expect(stopped.stopped.sort()).toEqual(['alertmanager', 'exporter', 'prometheus']);
    expect(Object.values(r2.pids).some(alive)).toBe(false);
  });
});
