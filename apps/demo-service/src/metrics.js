// Minimal hand-written Prometheus text exposition (format 0.0.4). No dependencies.
// Metric names and buckets follow docs/contracts.md ("Demo metrics").

export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.3, 0.5, 1, 2.5, 5];

/** @param {string} v */
function escapeLabelValue(v) {
  return String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/** @param {string} v */
function escapeHelp(v) {
  return String(v).replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** @param {Record<string, string>} labels */
function labelString(labels) {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** @param {number} n */
function formatValue(n) {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "+Inf";
  if (n === -Infinity) return "-Inf";
  return String(n);
}

class Metric {
  /** @param {string} name @param {string} help @param {string} type @param {string[]} labelNames */
  constructor(name, help, type, labelNames) {
    this.name = name;
    this.help = help;
    this.type = type;
    this.labelNames = labelNames;
    /** @type {Map<string, {labels: Record<string,string>, value: any}>} */
    this.series = new Map();
  }

  /** @param {Record<string,string>} labels */
  key(labels) {
    for (const k of Object.keys(labels)) {
      if (!this.labelNames.includes(k)) throw new Error(`${this.name}: unknown label ${k}`);
    }
    const ordered = {};
    for (const n of this.labelNames) {
      const v = labels[n];
      if (v === undefined) throw new Error(`${this.name}: missing label ${n}`);
      ordered[n] = String(v);
    }
    return { k: JSON.stringify(ordered), ordered };
  }

  header() {
    return `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
  }
}

export class Counter extends Metric {
  constructor(name, help, labelNames = []) {
    super(name, help, "counter", labelNames);
  }
  /** @param {Record<string,string>} labels @param {number} [by] */
  inc(labels = {}, by = 1) {
    if (by < 0) throw new Error("counters only go up");
    const { k, ordered } = this.key(labels);
    const s = this.series.get(k);
    if (s) s.value += by;
    else this.series.set(k, { labels: ordered, value: by });
  }
  /** Create the series with value 0 so rate() sees it before the first event. */
  init(labels = {}) {
    this.inc(labels, 0);
  }
  get(labels = {}) {
    return this.series.get(this.key(labels).k)?.value ?? 0;
  }
  render() {
    let out = this.header();
    for (const s of this.series.values()) out += `${this.name}${labelString(s.labels)} ${formatValue(s.value)}\n`;
    return out;
  }
}

export class Gauge extends Metric {
  constructor(name, help, labelNames = []) {
    super(name, help, "gauge", labelNames);
  }
  set(labels, value) {
    const { k, ordered } = this.key(labels);
    this.series.set(k, { labels: ordered, value });
  }
  render() {
    let out = this.header();
    for (const s of this.series.values()) out += `${this.name}${labelString(s.labels)} ${formatValue(s.value)}\n`;
    return out;
  }
}

export class Histogram extends Metric {
  constructor(name, help, labelNames = [], buckets = DURATION_BUCKETS) {
    super(name, help, "histogram", labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  fresh() {
    return { counts: this.buckets.map(() => 0), count: 0, sum: 0 };
  }
  init(labels = {}) {
    const { k, ordered } = this.key(labels);
    if (!this.series.has(k)) this.series.set(k, { labels: ordered, value: this.fresh() });
  }
  /** @param {Record<string,string>} labels @param {number} v */
  observe(labels, v) {
    const { k, ordered } = this.key(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels: ordered, value: this.fresh() };
      this.series.set(k, s);
    }
    const h = s.value;
    // Non-cumulative per-bucket counts; rendered cumulatively.
    const i = this.buckets.findIndex((b) => v <= b);
    if (i >= 0) h.counts[i] += 1;
    h.count += 1;
    h.sum += v;
  }
  render() {
    let out = this.header();
    for (const s of this.series.values()) {
      const h = s.value;
      let cum = 0;
      this.buckets.forEach((b, i) => {
        cum += h.counts[i];
        out += `${this.name}_bucket${labelString({ ...s.labels, le: formatValue(b) })} ${cum}\n`;
      });
      out += `${this.name}_bucket${labelString({ ...s.labels, le: "+Inf" })} ${h.count}\n`;
      out += `${this.name}_sum${labelString(s.labels)} ${formatValue(h.sum)}\n`;
      out += `${this.name}_count${labelString(s.labels)} ${h.count}\n`;
    }
    return out;
  }
}

export class Registry {
  constructor() {
    /** @type {Metric[]} */
    this.metrics = [];
  }
  /** @template {Metric} M @param {M} m @returns {M} */
  register(m) {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`duplicate metric ${m.name}`);
    this.metrics.push(m);
    return m;
  }
  render() {
    return this.metrics.map((m) => /** @type {any} */ (m).render()).join("");
  }
}

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
