#!/usr/bin/env node
// Local demo stack: synthetic exporter + Prometheus + Alertmanager on 127.0.0.1.
//   node packages/synth/bin/stack.mjs up     --data-dir DIR [options]   start (detached) and exit
//   node packages/synth/bin/stack.mjs up     --data-dir DIR --foreground  start, stop on Ctrl-C
//   node packages/synth/bin/stack.mjs down   --data-dir DIR
//   node packages/synth/bin/stack.mjs status --data-dir DIR
//   node packages/synth/bin/stack.mjs seed   --data-dir DIR | --now UNIX   (demo deployments/incidents JSON)
//   node packages/synth/bin/stack.mjs openmetrics --data-dir DIR --out FILE [--days 30] [--step 60]
import { parseArgs } from 'node:util';
import path from 'node:path';
import { startLocalStack, stopLocalStack, localStackStatus } from '../src/stack.mjs';
import { ensureState, readState, modelFromDataDir } from '../src/state.mjs';
import { demoDeployments, demoIncidents } from '../src/demo-data.mjs';
import { writeOpenMetrics } from '../src/backfill.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'data-dir': { type: 'string' },
    'prom-port': { type: 'string', default: '19290' },
    'am-port': { type: 'string', default: '19293' },
    'exporter-port': { type: 'string', default: '19200' },
    'rules-dir': { type: 'string' },
    'alertmanager-config': { type: 'string' },
    'backfill-days': { type: 'string', default: '30' },
    'webhook-url': { type: 'string' },
    'burnrate-metrics-url': { type: 'string' },
    'evaluation-interval': { type: 'string', default: '30s' },
    'scrape-interval': { type: 'string', default: '15s' },
    'resend-delay': { type: 'string', default: '5s' },
    prometheus: { type: 'string' },
    promtool: { type: 'string' },
    alertmanager: { type: 'string' },
    foreground: { type: 'boolean', default: false },
    now: { type: 'string' },
    out: { type: 'string' },
    days: { type: 'string', default: '30' },
    step: { type: 'string', default: '60' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
const cmd = positionals[0];
const usage = () => {
  console.error('usage: stack.mjs up|down|status|seed|openmetrics --data-dir DIR [--prom-port 19290 --am-port 19293 --exporter-port 19200 --rules-dir DIR --alertmanager-config FILE --backfill-days 30 --webhook-url URL --burnrate-metrics-url URL --evaluation-interval 30s --scrape-interval 15s --resend-delay 5s --foreground]');
  process.exit(2);
};
if (values.help || !cmd) usage();
const dataDir = values['data-dir'] ? path.resolve(values['data-dir']) : undefined;
if (!dataDir && cmd !== 'seed') usage();

if (cmd === 'up') {
  const bins = {};
  if (values.prometheus) bins.prometheus = values.prometheus;
  if (values.promtool) bins.promtool = values.promtool;
  if (values.alertmanager) bins.alertmanager = values.alertmanager;
  const r = await startLocalStack({
    dataDir,
    promPort: Number(values['prom-port']),
    amPort: Number(values['am-port']),
    exporterPort: Number(values['exporter-port']),
    rulesDir: values['rules-dir'],
    alertmanagerConfigPath: values['alertmanager-config'],
    backfillDays: Number(values['backfill-days']),
    webhookUrl: values['webhook-url'],
    burnrateMetricsUrl: values['burnrate-metrics-url'],
    evaluationInterval: values['evaluation-interval'],
    scrapeInterval: values['scrape-interval'],
    resendDelay: values['resend-delay'],
    binaries: bins,
    killOnExit: values.foreground,
  });
  if (!r.available) {
    console.error(`stack unavailable: ${r.reason}`);
    process.exit(3);
  }
  const { stop, ...info } = r;
  console.log(JSON.stringify(info, null, 2));
  if (values.foreground) {
    const bye = () => stop().then(() => process.exit(0));
    process.on('SIGINT', bye);
    process.on('SIGTERM', bye);
    setInterval(() => {}, 1 << 30);
  } else {
    process.exit(0);
  }
} else if (cmd === 'down') {
  console.log(JSON.stringify(await stopLocalStack(dataDir)));
} else if (cmd === 'status') {
  const s = localStackStatus(dataDir);
  console.log(JSON.stringify(s, null, 2));
  process.exit(s.running ? 0 : 1);
} else if (cmd === 'seed') {
  const state = values.now ? null : readState(dataDir ?? '.');
  const anchor = values.now ? Number(values.now) : (state?.anchor ?? Math.floor(Date.now() / 1000));
  console.log(JSON.stringify({ anchor, deployments: demoDeployments(anchor, state?.model), incidents: demoIncidents(anchor, state?.model) }, null, 2));
} else if (cmd === 'openmetrics') {
  if (!values.out) usage();
  const now = Date.now() / 1000;
  ensureState(dataDir, now);
  const r = writeOpenMetrics(modelFromDataDir(dataDir), { file: values.out, start: now - Number(values.days) * 86400, end: now, step: Number(values.step) });
  console.log(JSON.stringify(r));
} else {
  usage();
}
