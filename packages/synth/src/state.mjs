// Persistent runtime state of the synthetic model inside a data dir:
//   <dataDir>/synth-state.json        {version, anchor, origin, instance, createdAt, model: {version, services, scriptedIncidents}}
//   <dataDir>/runtime-incidents.json  [{id, service, start, end, err, latencyFactor?, source}]
// The model is a pure function of these two files: the anchor fixes the counter origin, and the
// service table (baseline error rates, rps, latency) and the scripted incidents are copied into
// the state when it is created. Every process that reads the same data dir (backfill, exporter, a
// restarted exporter, a gap backfill) therefore produces the same series, even after the defaults
// in model.mjs were edited.
import fs from 'node:fs';
import path from 'node:path';
import { createModel, modelParams, INSTANCE, SERVICE_NAMES } from './model.mjs';

export const STATE_FILE = 'synth-state.json';
export const RUNTIME_INCIDENTS_FILE = 'runtime-incidents.json';
export const STATE_VERSION = 2;
const DAY = 86400;

function writeJsonAtomic(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** @returns {null | {version:number, anchor:number, origin:number, instance:string, createdAt:string}} */
export function readState(dataDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, STATE_FILE), 'utf8'));
  } catch (e) {
    if (e && e.code === 'ENOENT') return null;
    throw e;
  }
}

/**
 * Read the state, or create it anchored at `nowSeconds` (default: wall clock), with the current
 * model parameters (plus `serviceOverrides`, only used when the state is created).
 *
 * A version-1 state (no persisted parameters) is upgraded in place: anchor, origin and instance are
 * kept and the parameters of the running code are frozen into it (`migrated: true`). Whether those
 * match the series already stored can only be told from the TSDB; startLocalStack checks that.
 */
export function ensureState(dataDir, nowSeconds, { serviceOverrides } = {}) {
  if (!Number.isFinite(nowSeconds)) throw new TypeError('ensureState: nowSeconds (the instant, in unix seconds) is required; read the clock at the caller');
  fs.mkdirSync(dataDir, { recursive: true });
  const existing = readState(dataDir);
  if (existing && existing.model) return { state: existing, created: false, migrated: false };
  if (existing) {
    const anchor = Math.floor(existing.anchor);
    const state = {
      ...existing,
      version: STATE_VERSION,
      anchor,
      origin: existing.origin ?? anchor - 40 * DAY,
      instance: existing.instance ?? INSTANCE,
      model: modelParams(anchor),
      migratedAt: new Date(nowSeconds * 1000).toISOString(),
    };
    writeJsonAtomic(path.join(dataDir, STATE_FILE), state);
    return { state, created: false, migrated: true };
  }
  const anchor = Math.floor(nowSeconds);
  const state = { version: STATE_VERSION, anchor, origin: anchor - 40 * DAY, instance: INSTANCE, createdAt: new Date(anchor * 1000).toISOString(), model: modelParams(anchor, { serviceOverrides }) };
  writeJsonAtomic(path.join(dataDir, STATE_FILE), state);
  return { state, created: true, migrated: false };
}

export function readRuntimeIncidents(dataDir) {
  try {
    const v = JSON.parse(fs.readFileSync(path.join(dataDir, RUNTIME_INCIDENTS_FILE), 'utf8'));
    return Array.isArray(v) ? v : [];
  } catch (e) {
    if (e && e.code === 'ENOENT') return [];
    throw e;
  }
}

/**
 * Append a runtime incident. `start` must not be earlier than the last exposed/stored sample,
 * otherwise already-stored counter values would change (use "now").
 */
export function addRuntimeIncident(dataDir, { service, start, seconds = 900, err = 0.5, code = '500', latencyFactor, id, title, source = 'runtime' }) {
  if (!SERVICE_NAMES.includes(service)) throw new Error(`unknown demo service: ${service}`);
  if (!(seconds > 0)) throw new Error('seconds must be > 0');
  const e = Number(err);
  if (!(e >= 0 && e <= 1)) throw new Error('err must be within [0, 1]');
  const c = String(code);
  if (!['404', '500', '503'].includes(c)) throw new Error('code must be 404, 500 or 503');
  const list = readRuntimeIncidents(dataDir);
  const inc = {
    id: id ?? `rt-${service}-${Math.floor(start)}-${list.length + 1}`,
    service,
    kind: latencyFactor && latencyFactor !== 1 ? (e > 0 ? 'mixed' : 'latency') : 'errors',
    title: title ?? `Injected ${e > 0 ? `${Math.round(e * 1000) / 10}% ${c}` : ''}${latencyFactor && latencyFactor !== 1 ? ` latency x${latencyFactor}` : ''} on ${service}`.replace(/\s+/g, ' '),
    start,
    end: start + Number(seconds),
    err: e > 0 ? { [c]: e } : {},
    ...(latencyFactor && latencyFactor !== 1 ? { latencyFactor: Number(latencyFactor) } : {}),
    source,
  };
  list.push(inc);
  fs.mkdirSync(dataDir, { recursive: true });
  writeJsonAtomic(path.join(dataDir, RUNTIME_INCIDENTS_FILE), list);
  return inc;
}

/** Model for a data dir (state must exist, see ensureState). */
export function modelFromDataDir(dataDir) {
  const state = readState(dataDir);
  if (!state) throw new Error(`no ${STATE_FILE} in ${dataDir}`);
  return modelFromState(state, readRuntimeIncidents(dataDir));
}

/**
 * Model for a state object. Only persisted values are used; a legacy state without parameters
 * falls back to the code's defaults (ensureState freezes them on the next start).
 */
export function modelFromState(state, runtimeIncidents = []) {
  const anchor = Math.floor(state.anchor);
  return createModel({
    anchor,
    origin: state.origin ?? anchor - 40 * DAY,
    instance: state.instance ?? INSTANCE,
    services: state.model?.services,
    scriptedIncidents: state.model?.scriptedIncidents,
    runtimeIncidents,
  });
}
