import { describe, expect, it, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createModel,
  scriptedIncidents,
  SERVICES,
  LE_LABELS,
  writeOpenMetrics,
  demoDeployments,
  demoIncidents,
  startExporter,
  ensureState,
  readRuntimeIncidents,
  modelFromDataDir,
  hash32,
} from '@burnrate/synth';
import { freePorts } from './ports';

const ANCHOR = 1_767_225_600; // 2026-01-01T00:00:00Z
const DAY = 86400;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function allValues(m: ReturnType<typeof createModel>, t: number) {
  return SERVICES.map((_, si) => Array.from(m.values(si, t)));
}

describe('model', () => {
  it('is deterministic', () => {
    const a = createModel({ anchor: ANCHOR });
    const b = createModel({ anchor: ANCHOR });
    for (const t of [ANCHOR - 29 * DAY + 17, ANCHOR - 3600.5, ANCHOR, ANCHOR + 12345.678]) {
      expect(allValues(a, t)).toEqual(allValues(b, t));
      expect(a.renderText(t)).toBe(b.renderText(t));
    }
    expect(hash32('checkout')).toBe(hash32('checkout'));
    expect(a.series).toHaveLength(12 * 4 + 12 * 11);
  });

  it('counters are monotone in time and histograms monotone in le', () => {
    const m = createModel({ anchor: ANCHOR, runtimeIncidents: [{ id: 'x', service: 'auth', kind: 'errors', title: 'x', start: ANCHOR - 5000.3, end: ANCHOR + 99.7, err: { 503: 0.9 } }] });
    const prev = SERVICES.map(() => new Float64Array(15).fill(-1));
    const cur = new Float64Array(15);
    // irregular steps across every incident boundary, 31 days
    for (let t = ANCHOR - 31 * DAY, i = 0; t < ANCHOR + 2 * DAY; t += 7 + ((i * 7919) % 1777), i++) {
      for (let si = 0; si < SERVICES.length; si++) {
        m.values(si, t, cur);
        for (let k = 0; k < 15; k++) {
          if (cur[k]! < prev[si]![k]!) throw new Error(`${SERVICES[si]!.name} k=${k} decreased at ${t}: ${prev[si]![k]} -> ${cur[k]}`);
        }
        for (let b = 5; b < 13; b++) if (cur[b]! < cur[b - 1]!) throw new Error(`bucket ${b} < bucket ${b - 1} at ${t}`);
        if (cur[12] !== cur[13]) throw new Error('+Inf bucket != _count'); // +Inf bucket == _count
        prev[si]!.set(cur);
      }
    }
  });

  it('backfill samples equal the live model at the same instants (one continuous series)', () => {
    const m = createModel({ anchor: ANCHOR });
    const file = path.join(tmp, 'seam.om');
    const r = writeOpenMetrics(m, { file, start: ANCHOR - 3 * 3600, end: ANCHOR, step: 60 });
    expect(r.series).toBe(180);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('# EOF\n')).toBe(true);
    // last backfilled sample of every series == model value at that time; live text right after continues it
    const last = new Map<string, [number, number]>();
    for (const line of text.split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const sp = line.lastIndexOf(' ');
      const sp2 = line.lastIndexOf(' ', sp - 1);
      last.set(line.slice(0, sp2).replace('job="demo",instance="synth:19200",', ''), [Number(line.slice(sp2 + 1, sp)), Number(line.slice(sp + 1))]);
    }
    expect(last.size).toBe(180);
    const live = new Map<string, number>();
    for (const line of m.renderText(r.end + 0.25).split('\n')) {
      if (!line || line.startsWith('#') || line.startsWith('synth_')) continue;
      const sp = line.lastIndexOf(' ');
      live.set(line.slice(0, sp), Number(line.slice(sp + 1)));
    }
    const atEnd = m.renderText(r.end);
    for (const [key, [v, ts]] of last) {
      expect(ts).toBe(r.end);
      expect(atEnd).toContain(`${key} ${v}\n`);
      expect(live.get(key)).toBeGreaterThanOrEqual(v);
      expect(live.get(key)! - v).toBeLessThan(200); // 0.25 s of traffic, no jump
    }
    expect([...live.keys()].filter((k) => k.includes('service="checkout",le=')).map((k) => /le="([^"]+)"/.exec(k)![1])).toEqual(LE_LABELS);
  });

  it('scripted incidents: checkout ongoing at the anchor, fast/slow burns with the expected ratios', () => {
    const m = createModel({ anchor: ANCHOR });
    const inc = scriptedIncidents(ANCHOR);
    const ongoing = inc.filter((i) => i.start <= ANCHOR && ANCHOR < i.end).map((i) => i.service);
    expect(ongoing).toContain('checkout');
    expect(ongoing).toContain('search');
    const r1h = m.increase('checkout', ANCHOR - 3600, ANCHOR, '5xx') / m.increase('checkout', ANCHOR - 3600, ANCHOR);
    expect(r1h).toBeGreaterThan(0.03); // 40 of 60 minutes at +6%
    const r1hInv = m.increase('inventory', ANCHOR - 3600, ANCHOR, '5xx') / m.increase('inventory', ANCHOR - 3600, ANCHOR);
    expect(r1hInv).toBeLessThan(0.001);
    // inventory blew through a 99.9% budget in the last 30 days
    const inv30 = m.increase('inventory', ANCHOR - 30 * DAY, ANCHOR, '5xx') / m.increase('inventory', ANCHOR - 30 * DAY, ANCHOR);
    expect(inv30).toBeGreaterThan(0.001);
    // low-traffic service really is low traffic
    expect(m.increase('reporting', ANCHOR - DAY, ANCHOR)).toBeLessThan(10_000);
    // the checkout incident is anchored to the anchor, not to wall clock
    const later = createModel({ anchor: ANCHOR + 7 * DAY });
    expect(later.increase('checkout', ANCHOR + 7 * DAY - 1800, ANCHOR + 7 * DAY, '5xx')).toBeGreaterThan(0);
  });

  it('demo deployments and incidents are consistent', () => {
    const deps = demoDeployments(ANCHOR);
    const incs = demoIncidents(ANCHOR);
    expect(demoDeployments(ANCHOR)).toEqual(deps);
    expect(new Set(deps.map((d) => d.service)).size).toBe(12);
    for (const d of deps) {
      expect(d.sha).toMatch(/^[0-9a-f]{40}$/);
      expect(d.commitTime).toBeLessThan(d.finishTime);
      expect(d.finishTime).toBeLessThanOrEqual(ANCHOR);
      expect(d.finishTime).toBeGreaterThan(ANCHOR - 31 * DAY);
    }
    expect(new Set(deps.map((d) => d.id)).size).toBe(deps.length);
    for (const i of incs.filter((x) => x.causedByDeploymentId)) {
      const d = deps.find((x) => x.id === i.causedByDeploymentId)!;
      expect(d.service).toBe(i.service);
      expect(d.causedIncident).toBe(true);
      expect(d.finishTime).toBeLessThan(i.start);
      expect(i.start - d.finishTime).toBeLessThan(600);
    }
    const co = incs.find((i) => i.id === 'inc-checkout-fast-burn')!;
    expect(co.ongoing).toBe(true);
    expect(co.resolvedAt).toBeNull();
    expect(incs.filter((i) => i.causedByDeploymentId).length).toBeGreaterThanOrEqual(5);
  });
});

describe('live exporter', () => {
  it('serves the model, injects persisted incidents, keeps counters continuous across restarts', async () => {
    const dataDir = path.join(tmp, 'exp');
    let clock = ANCHOR + 10;
    ensureState(dataDir, ANCHOR);
    const ex = await startExporter({ dataDir, port: (await freePorts(1))[0]!, now: () => clock });
    const scrape = async () => {
      const txt = await (await fetch(`${ex.url}/metrics`)).text();
      const v = (k: string) => Number(new RegExp(`^${k.replace(/[{}"+.]/g, (c) => `\\${c}`)} (\\S+)$`, 'm').exec(txt)![1]);
      return { txt, v };
    };
    try {
      const s1 = await scrape();
      expect(s1.txt).toContain('# TYPE http_request_duration_seconds histogram');
      const k500 = 'http_requests_total{service="payments",code="500",method="POST"}';
      const before = s1.v(k500);
      const res = await fetch(`${ex.url}/incident?service=payments&err=0.5&seconds=900`, { method: 'POST' });
      expect(res.status).toBe(201);
      expect(readRuntimeIncidents(dataDir)).toHaveLength(1);
      clock += 60;
      const s2 = await scrape();
      const inc = s2.v(k500) - before;
      expect(inc).toBeGreaterThan(0.5 * 0.5 * 60 * 6 * 0.3); // ~half of ~6 rps (diurnal) over 60 s
      const bad = await fetch(`${ex.url}/incident?service=nope`, { method: 'POST' });
      expect(bad.status).toBe(400);
      // the injected incident is part of the model for every later reader (backfill, restart)
      expect(modelFromDataDir(dataDir).values(1, clock)[2]).toBe(s2.v(k500));
    } finally {
      await ex.close();
    }
    const ex2 = await startExporter({ dataDir, port: (await freePorts(1))[0]!, now: () => clock + 1 });
    try {
      const txt = await (await fetch(`${ex2.url}/metrics`)).text();
      expect(txt).toContain(modelFromDataDir(dataDir).renderText(clock + 1).split('\n')[4]!);
    } finally {
      await ex2.close();
    }
  });
});
