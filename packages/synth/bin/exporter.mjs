#!/usr/bin/env node
// Live synthetic exporter: node bin/exporter.mjs --data-dir DIR [--port 19200] [--host 127.0.0.1]
import { parseArgs } from 'node:util';
import { startExporter } from '../src/exporter.mjs';

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, port: { type: 'string', default: '19200' }, host: { type: 'string', default: '127.0.0.1' } } });
if (!values['data-dir']) {
  console.error('usage: exporter.mjs --data-dir DIR [--port 19200] [--host 127.0.0.1]');
  process.exit(2);
}
const ex = await startExporter({ dataDir: values['data-dir'], port: Number(values.port), host: values.host });
console.log(`synth exporter listening on ${ex.url}`);
const shutdown = () => ex.close().then(() => process.exit(0));
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
