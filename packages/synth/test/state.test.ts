import { describe, expect, it, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createModel,
  SERVICES,
  writeOpenMetrics,
  ensureState,
  readState,
  addRuntimeIncident,
  modelFromDataDir,
  demoDeployments,
  STATE_FILE,
} from '@burnrate/synth';

const ANCHOR = 1_767_225_600; // 2026-01-01T00:00:00Z
const DAY = 86400;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-state-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** "name{labels}" -> value, for one renderText() output */
function parseText(text: string) {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || line.startsWith('synth_')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

describe('state: the model is a pure function of the data dir', () => {
  it('backfill samples equal modelFromDataDir(...).renderText at the same timestamps', () => {
    const dataDir = path.join(tmp, 'bf');
    ensureState(dataDir, ANCHOR);
    addRuntimeIncident(dataDir, { service: 'recommendations', start: ANCHOR - 1800, seconds: 600, err: 0.2, code: '503' });
    const file = path.join(tmp, 'bf.om');
    const r = writeOpenMetrics(modelFromDataDir(dataDir), { file, start: ANCHOR - 2 * 3600, end: ANCHOR, step: 60 });
    expect(r.series).toBe(180);
    // ts -> series -> value, from the OpenMetrics file
    const byTs = new Map<number, Map<string, number>>();
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (!line || line.startsWith('#')) continue;
      const sp = line.lastIndexOf(' ');
      const sp2 = line.lastIndexOf(' ', sp - 1);
      const ts = Number(line.slice(sp + 1));
      const key = line.slice(0, sp2).replace('job="demo",instance="synth:19200",', '');
      if (!byTs.has(ts)) byTs.set(ts, new Map());
      byTs.get(ts)!.set(key, Number(line.slice(sp2 + 1, sp)));
    }
    expect(byTs.size).toBe(121);
    const live = modelFromDataDir(dataDir); // a separate reader, like the exporter process
    let compared = 0;
    for (const [ts, samples] of byTs) {
      const text = parseText(live.renderText(ts));
      expect(text.size).toBe(180);
      for (const [key, v] of samples) {
        expect(text.get(key), `${key} @${ts}`).toBe(v);
        compared++;
      }
    }
    expect(compared).toBe(121 * 180);
  });

  it('editing the code defaults does not change the series of an existing data dir', () => {
    const dataDir = path.join(tmp, 'pure');
    const { state, created } = ensureState(dataDir, ANCHOR);
    expect(created).toBe(true);
    expect(state.model?.services).toHaveLength(12);
    expect(state.model?.scriptedIncidents.length).toBeGreaterThan(5);
    const t = ANCHOR - 3600;
    const before = modelFromDataDir(dataDir).renderText(t);
    const deps = demoDeployments(state.anchor, state.model);
    const rec = SERVICES.find((s) => s.name === 'recommendations')!;
    const saved = rec.err;
    try {
      rec.err = { 404: 0.001, 500: 0.0008, 503: 0.0004 }; // "tune the baseline" in the code
      expect(createModel({ anchor: ANCHOR }).renderText(t)).not.toBe(before); // the defaults did change...
      expect(modelFromDataDir(dataDir).renderText(t)).toBe(before); // ...the data dir's model did not
      expect(demoDeployments(state.anchor, readState(dataDir)!.model)).toEqual(deps);
    } finally {
      rec.err = saved;
    }
  });

  it('serviceOverrides are persisted at creation only', () => {
    const dataDir = path.join(tmp, 'ovr');
    ensureState(dataDir, ANCHOR, { serviceOverrides: { reporting: { err: { 500: 0.01 } } } });
    const again = ensureState(dataDir, ANCHOR + DAY, { serviceOverrides: { reporting: { err: { 500: 0.5 } } } });
    expect(again.created).toBe(false);
    expect(again.state.anchor).toBe(ANCHOR);
    const svc = again.state.model!.services.find((s) => s.name === 'reporting')!;
    expect(svc.err).toEqual({ 404: 0.002, 500: 0.01, 503: 0.0002 });
    const m = modelFromDataDir(dataDir);
    const r = m.increase('reporting', ANCHOR - DAY, ANCHOR, '500') / m.increase('reporting', ANCHOR - DAY, ANCHOR);
    expect(r).toBeCloseTo(0.01, 6);
    expect(() => ensureState(path.join(tmp, 'bad'), ANCHOR, { serviceOverrides: { nope: {} } as never })).toThrow(/unknown demo service/);
  });

  it('a version-1 state (no persisted parameters) is upgraded in place, keeping anchor, origin and instance', () => {
    const dataDir = path.join(tmp, 'legacy');
    fs.mkdirSync(dataDir, { recursive: true });
    const v1 = { version: 1, anchor: ANCHOR, origin: ANCHOR - 40 * DAY - 123, instance: 'synth:19200', createdAt: new Date(ANCHOR * 1000).toISOString() };
    fs.writeFileSync(path.join(dataDir, STATE_FILE), JSON.stringify(v1));
    const legacy = modelFromDataDir(dataDir).renderText(ANCHOR);
    const r = ensureState(dataDir, ANCHOR + 5 * DAY);
    expect(r).toMatchObject({ created: false, migrated: true, state: { version: 2, anchor: ANCHOR, origin: v1.origin, instance: v1.instance, createdAt: v1.createdAt } });
    expect(modelFromDataDir(dataDir).renderText(ANCHOR)).toBe(legacy);
    expect(ensureState(dataDir, ANCHOR + 6 * DAY).migrated).toBe(false);
    expect(readState(dataDir)).toEqual(r.state);
  });
});
