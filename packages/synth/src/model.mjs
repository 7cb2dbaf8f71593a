// Deterministic synthetic traffic model for the Burnrate demo.
//
// Everything here is a pure function of (service, unix time, anchor, incident list). The only
// "randomness" is a seeded string hash (FNV-1a + splitmix) used to derive phases and amplitudes.
//
// Counters are closed-form integrals of the request rate:
//   r(t)  = B * (1 + a_d sin(w_d (t - phi_d)) + a_w sin(w_w (t - phi_w)) + sum_k b_k sin(w_k t + psi_k))
//   R(t)  = integral_O^t r(u) du        (O = counter origin, persisted with the anchor)
// Incidents only change the *fractions* of requests per code / latency bucket, and they are piecewise
// constant in time, so every series is  sum_segments fraction_seg * (R(seg_end) - R(seg_start)).
// History (backfill) and the live tail evaluate the very same function, so there are no fake resets.

export const JOB = 'demo';
export const INSTANCE = 'synth:19200';
export const BUCKETS = [0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5];
export const LE_LABELS = ['0.05', '0.1', '0.25', '0.3', '0.5', '1', '2.5', '5', '+Inf'];
export const CODES = ['200', '404', '500', '503'];
/**
 * Version of the model's *math* (traffic shape, hashing, fractions). The parameters (service table,
 * scripted incidents) are persisted per data dir, see modelParams(); bump this when the math changes
 * so that startLocalStack can warn about data dirs made with another version.
 */
export const MODEL_VERSION = 1;

const DAY = 86400;
const WEEK = 7 * DAY;
const MIN = 60;
const HOUR = 3600;

/**
 * Demo services. rps = mean requests/second; err = baseline fraction per code; median/sigma =
 * log-normal latency (seconds); peak = UTC hour of the diurnal peak; amp = diurnal amplitude.
 */
export const SERVICES = [
  { name: 'checkout', team: 'payments', tier: '1', method: 'POST', rps: 12, err: { 404: 0.002, 500: 0.0003, 503: 0.0001 }, median: 0.12, sigma: 0.5, peak: 14, amp: 0.45 },
  { name: 'payments', team: 'payments', tier: '1', method: 'POST', rps: 6, err: { 404: 0.001, 500: 0.0002, 503: 0.0001 }, median: 0.09, sigma: 0.45, peak: 14, amp: 0.45 },
  { name: 'search', team: 'search', tier: '1', method: 'GET', rps: 45, err: { 404: 0.02, 500: 0.0002, 503: 0.0002 }, median: 0.06, sigma: 0.6, peak: 13, amp: 0.5 },
  { name: 'catalog', team: 'search', tier: '2', method: 'GET', rps: 30, err: { 404: 0.01, 500: 0.0001, 503: 0.0001 }, median: 0.04, sigma: 0.5, peak: 13, amp: 0.5 },
  { name: 'auth', team: 'identity', tier: '1', method: 'POST', rps: 25, err: { 404: 0.005, 500: 0.0002, 503: 0.0001 }, median: 0.03, sigma: 0.4, peak: 9, amp: 0.4 },
  { name: 'inventory', team: 'fulfilment', tier: '2', method: 'GET', rps: 4, err: { 404: 0.003, 500: 0.0004, 503: 0.0001 }, median: 0.05, sigma: 0.5, peak: 11, amp: 0.35 },
  { name: 'notifications', team: 'platform', tier: '3', method: 'POST', rps: 0.8, err: { 404: 0, 500: 0.0005, 503: 0.0003 }, median: 0.2, sigma: 0.6, peak: 16, amp: 0.6 },
  { name: 'shipping', team: 'fulfilment', tier: '2', method: 'GET', rps: 2, err: { 404: 0.004, 500: 0.0003, 503: 0.0002 }, median: 0.15, sigma: 0.5, peak: 15, amp: 0.4 },
  { name: 'recommendations', team: 'discovery', tier: '3', method: 'GET', rps: 15, err: { 404: 0.001, 500: 0.0004, 503: 0.0002 }, median: 0.18, sigma: 0.5, peak: 19, amp: 0.55 },
  { name: 'profile', team: 'identity', tier: '2', method: 'GET', rps: 5, err: { 404: 0.006, 500: 0.0001, 503: 0.0001 }, median: 0.05, sigma: 0.45, peak: 18, amp: 0.4 },
  { name: 'gateway', team: 'platform', tier: '1', method: 'GET', rps: 120, err: { 404: 0.015, 500: 0.0001, 503: 0.0002 }, median: 0.02, sigma: 0.6, peak: 14, amp: 0.45 },
  { name: 'reporting', team: 'analytics', tier: '3', method: 'GET', rps: 0.05, err: { 404: 0.002, 500: 0.0002, 503: 0.0002 }, median: 0.8, sigma: 0.7, peak: 8, amp: 0.7 },
];
export const SERVICE_NAMES = SERVICES.map((s) => s.name);

// ---------------------------------------------------------------------------------------------
// Seeded hash (deterministic pseudo-random numbers from strings)

/** 32-bit FNV-1a of a string, then splitmix-style finaliser. Returns an unsigned 32-bit integer. */
export function hash32(str) {
  let h = 0x811c9dc5;
  for (let i = 0; i < str.length; i++) {
    h ^= str.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}
/** Deterministic uniform number in [0, 1) derived from the key. */
export function unit(key) {
  return hash32(key) / 4294967296;
}

// ---------------------------------------------------------------------------------------------
// Scripted incidents, relative to the anchor ("now" when the demo data set was first generated)

/**
 * @param {number} anchor unix seconds
 * @returns {Array<object>} incidents: {id, service, title, kind, start, end, err?, latencyFactor?, deployVersion?}
 */
export function scriptedIncidents(anchor) {
  const a = Math.floor(anchor);
  return [
    { id: 'inc-inventory-budget', service: 'inventory', kind: 'errors', title: 'Inventory DB migration locks stock table (budget exhausted)', start: a - 22 * DAY - 3 * HOUR, end: a - 22 * DAY + 9 * HOUR, err: { 500: 0.15 }, causedByDeploy: true },
    { id: 'inc-checkout-card-validation', service: 'checkout', kind: 'errors', title: 'Checkout rejects valid cards after validation refactor', start: a - 17 * DAY + 5 * HOUR, end: a - 17 * DAY + 5 * HOUR + 35 * MIN, err: { 500: 0.12 }, causedByDeploy: true },
    { id: 'inc-catalog-dependency', service: 'catalog', kind: 'errors', title: 'Catalog errors while upstream pricing API degraded', start: a - 13 * DAY + 2 * HOUR, end: a - 13 * DAY + 2 * HOUR + 20 * MIN, err: { 500: 0.03 }, causedByDeploy: false },
    { id: 'inc-payments-latency', service: 'payments', kind: 'latency', title: 'Payments latency regression (N+1 query in fraud check)', start: a - 10 * DAY - 2 * HOUR, end: a - 10 * DAY + 3 * HOUR, latencyFactor: 5, causedByDeploy: true },
    { id: 'inc-notifications-provider', service: 'notifications', kind: 'errors', title: 'Notification provider returns 500s', start: a - 8 * DAY + 7 * HOUR, end: a - 8 * DAY + 9 * HOUR, err: { 500: 0.2 }, causedByDeploy: false },
    { id: 'inc-auth-outage', service: 'auth', kind: 'outage', title: 'Auth outage: token signer misconfigured', start: a - 6 * DAY - 3 * HOUR, end: a - 6 * DAY - 3 * HOUR + 14 * MIN, err: { 503: 0.7 }, causedByDeploy: true },
    { id: 'inc-recommendations-latency', service: 'recommendations', kind: 'latency', title: 'Recommendations slow after cache cold start', start: a - 4 * DAY + 6 * HOUR, end: a - 4 * DAY + 7 * HOUR + 30 * MIN, latencyFactor: 3, causedByDeploy: false },
    { id: 'inc-gateway-503', service: 'gateway', kind: 'errors', title: 'Gateway 503s during node pool rotation', start: a - 2 * DAY - 5 * HOUR, end: a - 2 * DAY - 5 * HOUR + 8 * MIN, err: { 503: 0.05 }, causedByDeploy: false },
    // Slow burn on search: ~4.4x burn for a 99.9% SLO over 3 days, ongoing at the anchor (ticket).
    { id: 'inc-search-slow-burn', service: 'search', kind: 'errors', title: 'Search slow burn: shard rebalancing timeouts', start: a - 30 * HOUR, end: a + 42 * HOUR, err: { 503: 0.004 }, causedByDeploy: true },
    // Fast burn on checkout: ~60x burn for a 99.9% SLO, started 40 minutes before the anchor (page).
    { id: 'inc-checkout-fast-burn', service: 'checkout', kind: 'errors', title: 'Checkout fast burn: payment provider client timeout misconfigured', start: a - 40 * MIN, end: a + 3 * HOUR + 20 * MIN, err: { 500: 0.06 }, causedByDeploy: true },
  ];
}

// ---------------------------------------------------------------------------------------------
// Math helpers

function erf(x) {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  const s = x < 0 ? -1 : 1;
  const ax = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * ax);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-ax * ax);
  return s * y;
}
function lognormalCdf(x, median, sigma) {
  return 0.5 * (1 + erf((Math.log(x) - Math.log(median)) / (sigma * Math.SQRT2)));
}

function trafficShape(svc) {
  const key = `traffic:${svc.name}`;
  const wD = (2 * Math.PI) / DAY;
  const wW = (2 * Math.PI) / WEEK;
  // sin(wD (t - phiD)) peaks at t = phiD + DAY/4 (mod DAY)
  const phiD = svc.peak * HOUR - DAY / 4 + Math.floor(unit(`${key}:pj`) * 1800);
  const aW = 0.08 + 0.07 * unit(`${key}:aw`);
  const phiW = unit(`${key}:pw`) * WEEK;
  const harmonics = [];
  for (let k = 0; k < 3; k++) {
    const period = (20 + 200 * unit(`${key}:p${k}`)) * MIN; // 20 min .. 3h40m
    harmonics.push({ w: (2 * Math.PI) / period, b: 0.03 + 0.04 * unit(`${key}:b${k}`), psi: 2 * Math.PI * unit(`${key}:s${k}`) });
  }
  return { B: svc.rps, aD: svc.amp, wD, phiD, aW, wW, phiW, harmonics };
}

/** Antiderivative of the rate (arbitrary constant). */
function antiderivative(sh, t) {
  let v = t - (sh.aD / sh.wD) * Math.cos(sh.wD * (t - sh.phiD)) - (sh.aW / sh.wW) * Math.cos(sh.wW * (t - sh.phiW));
  for (const h of sh.harmonics) v -= (h.b / h.w) * Math.cos(h.w * t + h.psi);
  return sh.B * v;
}
function rateAt(sh, t) {
  let v = 1 + sh.aD * Math.sin(sh.wD * (t - sh.phiD)) + sh.aW * Math.sin(sh.wW * (t - sh.phiW));
  for (const h of sh.harmonics) v += h.b * Math.sin(h.w * t + h.psi);
  return sh.B * v;
}

// Layout of a per-service value vector
export const K_CODES = 0; // 4 entries: 200, 404, 500, 503
export const K_BUCKETS = 4; // 9 entries (last is +Inf)
export const K_COUNT = 13;
export const K_SUM = 14;
export const K_LEN = 15;

function normaliseEffect(inc) {
  const err = { 404: 0, 500: 0, 503: 0 };
  if (inc.err) for (const c of Object.keys(inc.err)) if (c in err) err[c] += Number(inc.err[c]) || 0;
  return { err, latencyFactor: inc.latencyFactor && inc.latencyFactor > 0 ? inc.latencyFactor : 1 };
}

function fractionsFor(svc, active) {
  const f = new Float64Array(K_LEN);
  let e404 = svc.err[404], e500 = svc.err[500], e503 = svc.err[503];
  let lf = 1;
  for (const inc of active) {
    const eff = normaliseEffect(inc);
    e404 += eff.err[404];
    e500 += eff.err[500];
    e503 += eff.err[503];
    lf *= eff.latencyFactor;
  }
  const tot = e404 + e500 + e503;
  if (tot > 0.999) {
    const k = 0.999 / tot;
    e404 *= k; e500 *= k; e503 *= k;
  }
  f[K_CODES] = 1 - (e404 + e500 + e503);
  f[K_CODES + 1] = e404;
  f[K_CODES + 2] = e500;
  f[K_CODES + 3] = e503;
  const median = svc.median * lf;
  let prev = 0;
  for (let i = 0; i < BUCKETS.length; i++) {
    const c = Math.max(prev, Math.min(1, lognormalCdf(BUCKETS[i], median, svc.sigma)));
    f[K_BUCKETS + i] = c;
    prev = c;
  }
  f[K_BUCKETS + BUCKETS.length] = 1;
  f[K_COUNT] = 1;
  f[K_SUM] = median * Math.exp((svc.sigma * svc.sigma) / 2); // mean of the log-normal
  return f;
}

const SERVICE_FIELDS = ['name', 'team', 'tier', 'method', 'rps', 'err', 'median', 'sigma', 'peak', 'amp'];

/**
 * The model parameters that are not a function of the anchor alone: the service table and the
 * scripted incident list, as plain JSON. They are written into synth-state.json when a data dir is
 * created, so later edits of the defaults in this file (e.g. tuning a baseline error rate) never
 * change the series of an existing data dir (that would be a counter reset or jump on restart).
 * @param {number} anchor unix seconds
 * @param {{serviceOverrides?: Record<string, object>}} [opts] per-service overrides (e.g. {checkout: {err: {...}}})
 */
export function modelParams(anchor, { serviceOverrides } = {}) {
  for (const name of Object.keys(serviceOverrides ?? {})) if (!SERVICE_NAMES.includes(name)) throw new Error(`unknown demo service: ${name}`);
  const services = SERVICES.map((svc) => {
    const o = serviceOverrides?.[svc.name] ?? {};
    const merged = { ...svc, ...o, err: { ...svc.err, ...(o.err ?? {}) }, name: svc.name };
    return Object.fromEntries(SERVICE_FIELDS.map((k) => [k, merged[k]]));
  });
  return JSON.parse(JSON.stringify({ version: MODEL_VERSION, services, scriptedIncidents: scriptedIncidents(anchor) }));
}

/**
 * Build a model instance. `services` and `scriptedIncidents` default to the built-in tables; pass the
 * persisted ones (modelFromDataDir does) so that the series do not depend on the code's defaults.
 * @param {{anchor:number, origin?:number, runtimeIncidents?:Array<object>, instance?:string, services?:Array<object>, scriptedIncidents?:Array<object>}} opts
 */
export function createModel(opts) {
  const anchor = Math.floor(opts.anchor);
  const origin = opts.origin ?? anchor - 40 * DAY;
  const instance = opts.instance ?? INSTANCE;
  const services = opts.services ?? SERVICES;
  const names = services.map((s) => s.name);
  const indexOf = (name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new Error(`unknown demo service: ${name}`);
    return i;
  };
  const incidents = [...(opts.scriptedIncidents ?? scriptedIncidents(anchor)), ...(opts.runtimeIncidents ?? [])];

  const perService = services.map((svc) => {
    const sh = trafficShape(svc);
    const F0 = antiderivative(sh, origin);
    const R = (t) => (t <= origin ? 0 : antiderivative(sh, t) - F0);
    const mine = incidents.filter((i) => i.service === svc.name && i.end > i.start);
    const bset = new Set([origin]);
    for (const i of mine) {
      bset.add(Math.max(origin, i.start));
      bset.add(Math.max(origin, i.end));
    }
    const bounds = [...bset].sort((x, y) => x - y);
    const fracs = [];
    const prefix = [];
    let acc = new Float64Array(K_LEN);
    for (let j = 0; j < bounds.length; j++) {
      const b = bounds[j];
      const active = mine.filter((i) => i.start <= b && i.end > b);
      const f = fractionsFor(svc, active);
      fracs.push(f);
      prefix.push(acc);
      if (j + 1 < bounds.length) {
        const dR = R(bounds[j + 1]) - R(b);
        const next = new Float64Array(K_LEN);
        for (let k = 0; k < K_LEN; k++) next[k] = acc[k] + f[k] * dR;
        acc = next;
      }
    }
    return { svc, sh, R, bounds, fracs, prefix };
  });

  /**
   * Raw (unrounded) cumulative values of every series of one service at time t.
   * @param {number} si service index
   * @param {number} t unix seconds (may be fractional)
   * @param {Float64Array} [out]
   */
  function rawValues(si, t, out = new Float64Array(K_LEN)) {
    const ps = perService[si];
    const { bounds } = ps;
    if (t <= origin) {
      out.fill(0);
      return out;
    }
    let lo = 0, hi = bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid] <= t) lo = mid; else hi = mid - 1;
    }
    const f = ps.fracs[lo];
    const p = ps.prefix[lo];
    const dR = ps.R(t) - ps.R(bounds[lo]);
    for (let k = 0; k < K_LEN; k++) out[k] = p[k] + f[k] * dR;
    return out;
  }

  /**
   * Exposed (rounded) values: integer counters/buckets, _sum rounded to 1 ms. Monotone in t and in le.
   */
  function values(si, t, out = new Float64Array(K_LEN)) {
    rawValues(si, t, out);
    for (let k = 0; k < K_SUM; k++) out[k] = Math.floor(out[k] + 1e-7);
    const count = out[K_COUNT];
    let prev = 0;
    for (let i = 0; i < BUCKETS.length; i++) {
      const k = K_BUCKETS + i;
      let v = out[k];
      if (v < prev) v = prev;
      if (v > count) v = count;
      out[k] = v;
      prev = v;
    }
    out[K_BUCKETS + BUCKETS.length] = count;
    out[K_SUM] = Math.round(out[K_SUM] * 1000) / 1000;
    return out;
  }

  /** Series descriptors in output order: {name, family, labels (string), si, k} */
  const series = [];
  for (let si = 0; si < services.length; si++) {
    const s = services[si];
    for (let c = 0; c < CODES.length; c++) {
      series.push({ family: 'http_requests', name: 'http_requests_total', labels: `service="${s.name}",code="${CODES[c]}",method="${s.method}"`, si, k: K_CODES + c });
    }
  }
  for (let si = 0; si < services.length; si++) {
    const s = services[si];
    for (let b = 0; b < LE_LABELS.length; b++) {
      series.push({ family: 'http_request_duration_seconds', name: 'http_request_duration_seconds_bucket', labels: `service="${s.name}",le="${LE_LABELS[b]}"`, si, k: K_BUCKETS + b });
    }
    series.push({ family: 'http_request_duration_seconds', name: 'http_request_duration_seconds_count', labels: `service="${s.name}"`, si, k: K_COUNT });
    series.push({ family: 'http_request_duration_seconds', name: 'http_request_duration_seconds_sum', labels: `service="${s.name}"`, si, k: K_SUM });
  }

  /** Prometheus text exposition format 0.0.4 at time t (no job/instance labels: the scrape adds them). */
  function renderText(t) {
    const lines = [];
    const vals = services.map((_, si) => values(si, t));
    lines.push('# HELP http_requests_total Synthetic HTTP requests (Burnrate demo model).');
    lines.push('# TYPE http_requests_total counter');
    for (const s of series) if (s.family === 'http_requests') lines.push(`${s.name}{${s.labels}} ${fmt(vals[s.si][s.k])}`);
    lines.push('# HELP http_request_duration_seconds Synthetic HTTP request latency (Burnrate demo model).');
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const s of series) if (s.family === 'http_request_duration_seconds') lines.push(`${s.name}{${s.labels}} ${fmt(vals[s.si][s.k])}`);
    lines.push('# HELP synth_model_anchor_seconds Anchor of the synthetic incident schedule.');
    lines.push('# TYPE synth_model_anchor_seconds gauge');
    lines.push(`synth_model_anchor_seconds ${anchor}`);
    return lines.join('\n') + '\n';
  }

  /** Instantaneous request rate (req/s) of a service, for tests and docs. */
  function rate(service, t) {
    const ps = perService[indexOf(service)];
    return t <= origin ? 0 : rateAt(ps.sh, t);
  }

  /** Cumulative (raw) count of a given code or of all requests between t0 and t1. */
  function increase(service, t0, t1, what = 'all') {
    const si = indexOf(service);
    const a = rawValues(si, t0);
    const b = rawValues(si, t1);
    if (what === 'all') return b[K_COUNT] - a[K_COUNT];
    if (what === '5xx') return b[K_CODES + 2] + b[K_CODES + 3] - (a[K_CODES + 2] + a[K_CODES + 3]);
    const c = CODES.indexOf(String(what));
    if (c < 0) throw new Error(`unknown code ${what}`);
    return b[K_CODES + c] - a[K_CODES + c];
  }

  return { anchor, origin, instance, incidents, series, services, rawValues, values, renderText, rate, increase };
}

export function serviceIndex(name) {
  const i = SERVICE_NAMES.indexOf(name);
  if (i < 0) throw new Error(`unknown demo service: ${name}`);
  return i;
}

function fmt(v) {
  return Number.isInteger(v) ? String(v) : String(v);
}
