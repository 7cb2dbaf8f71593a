// Live exporter: serves the synthetic model at wall-clock time.
//   GET  /metrics                 text format 0.0.4
//   POST /incident?service=checkout&err=0.5&seconds=900[&code=500|503|404][&latency=3]
//   GET  /incidents               scripted + runtime incidents (JSON)
//   GET  /-/healthy, /-/ready
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { ensureState, addRuntimeIncident, modelFromDataDir, RUNTIME_INCIDENTS_FILE } from './state.mjs';

/**
 * @param {{dataDir:string, port:number, host?:string, now?:()=>number}} opts now() returns unix seconds
 * @returns {Promise<{url:string, port:number, close:()=>Promise<void>, server:import('node:http').Server}>}
 */
export async function startExporter({ dataDir, port, host = '127.0.0.1', now = () => Date.now() / 1000 }) {
  ensureState(dataDir, now());
  const rtFile = path.join(dataDir, RUNTIME_INCIDENTS_FILE);
  let model = modelFromDataDir(dataDir);
  let rtMtime = mtimeOf(rtFile);
  const current = () => {
    const m = mtimeOf(rtFile);
    if (m !== rtMtime) {
      rtMtime = m;
      model = modelFromDataDir(dataDir);
    }
    return model;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    try {
      if (req.method === 'GET' && url.pathname === '/metrics') {
        const body = current().renderText(now());
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(body);
        return;
      }
      if (req.method === 'POST' && url.pathname === '/incident') {
        const q = url.searchParams;
        const lat = q.get('latency');
        const inc = addRuntimeIncident(dataDir, {
          service: q.get('service') ?? '',
          start: now(),
          seconds: q.has('seconds') ? Number(q.get('seconds')) : 900,
          err: q.has('err') ? Number(q.get('err')) : lat ? 0 : 0.5,
          code: q.get('code') ?? '500',
          latencyFactor: lat ? Number(lat) : undefined,
        });
        rtMtime = -1; // force reload
        return json(res, 201, { incident: inc });
      }
      if (req.method === 'GET' && url.pathname === '/incidents') {
        const m = current();
        const t = now();
        return json(res, 200, { anchor: m.anchor, now: t, incidents: m.incidents.map((i) => ({ ...i, ongoing: i.start <= t && t < i.end })) });
      }
      if (url.pathname === '/-/healthy' || url.pathname === '/-/ready') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('OK\n');
        return;
      }
      json(res, 404, { error: 'not found' });
    } catch (e) {
      json(res, 400, { error: e instanceof Error ? e.message : String(e) });
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const addr = server.address();
  const actualPort = typeof addr === 'object' && addr ? addr.port : port;
  return {
    url: `http://${host}:${actualPort}`,
    port: actualPort,
    server,
    close: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
