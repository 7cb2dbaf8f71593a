// Demo deployments and incidents for the DB seed, consistent with the traffic model's incidents.
// Pass the same anchor the stack uses (readState(dataDir).anchor) so the seed matches the metrics.
import { SERVICES, scriptedIncidents, hash32, unit } from './model.mjs';

const DAY = 86400;
const HOUR = 3600;
const MIN = 60;
const iso = (s) => new Date(Math.round(s * 1000)).toISOString();

/**
 * Scripted incidents of the model (runtime-injected ones are not included).
 * @param {number} nowSeconds the model anchor
 * @param {{services?: Array<object>, scriptedIncidents?: Array<object>}} [params] persisted model
 *   parameters (readState(dataDir).model); default: the built-in tables
 */
export function demoIncidents(nowSeconds, params) {
  const anchor = Math.floor(nowSeconds);
  const deps = demoDeployments(anchor, params);
  return (params?.scriptedIncidents ?? scriptedIncidents(anchor)).map((i) => {
    const dep = deps.find((d) => d.incidentId === i.id);
    const ongoing = i.start <= anchor && anchor < i.end;
    return {
      id: i.id,
      service: i.service,
      title: i.title,
      kind: i.kind,
      severity: i.kind === 'outage' || i.id === 'inc-checkout-fast-burn' || i.id === 'inc-inventory-budget' ? 'page' : 'ticket',
      start: i.start,
      end: i.end,
      startedAt: iso(i.start),
      // resolvedAt is null while the incident is ongoing at the anchor
      resolvedAt: ongoing ? null : iso(i.end),
      ongoing,
      errorRatio: i.err ? Object.values(i.err).reduce((a, b) => a + b, 0) : 0,
      errorCodes: i.err ? Object.keys(i.err) : [],
      latencyFactor: i.latencyFactor ?? 1,
      causedByDeploymentId: dep ? dep.id : null,
    };
  });
}

/**
 * Deployments of the 12 demo services over the 30 days before nowSeconds (deterministic).
 * Each service deploys every ~0.5-3 days; incidents with causedByDeploy get a deployment that
 * finished 2 minutes before the incident started (and a fix/rollback deployment after it ended,
 * unless the incident is still ongoing).
 * @param {number} nowSeconds the model anchor
 * @param {{services?: Array<object>, scriptedIncidents?: Array<object>}} [params] persisted model parameters
 */
export function demoDeployments(nowSeconds, params) {
  const anchor = Math.floor(nowSeconds);
  const incidents = params?.scriptedIncidents ?? scriptedIncidents(anchor);
  const out = [];
  for (const svc of params?.services ?? SERVICES) {
    const key = `deploy:${svc.name}`;
    const mine = incidents.filter((i) => i.service === svc.name && i.causedByDeploy);
    /** @type {Array<{finish:number, incidentId?:string, fix?:boolean}>} */
    const slots = [];
    const meanGap = (0.5 + 2.5 * unit(`${key}:gap`)) * DAY;
    let t = anchor - 30 * DAY + Math.floor(unit(`${key}:first`) * meanGap);
    let n = 0;
    while (t < anchor - 10 * MIN) {
      // avoid regular deploys within 6h around a caused incident
      if (!mine.some((i) => Math.abs(t - i.start) < 6 * HOUR || (t > i.start && t < i.end))) slots.push({ finish: t });
      const jitter = 0.4 + 1.2 * unit(`${key}:j${n++}`);
      t += Math.floor(meanGap * jitter);
    }
    for (const i of mine) {
      slots.push({ finish: i.start - 2 * MIN, incidentId: i.id });
      if (i.end <= anchor) slots.push({ finish: Math.min(anchor - MIN, i.end - 3 * MIN), fix: true });
    }
    slots.sort((a, b) => a.finish - b.finish);
    const major = 1 + (hash32(`${key}:major`) % 4);
    let minor = 3 + (hash32(`${key}:minor`) % 12);
    let patch = 0;
    slots.forEach((s, idx) => {
      if (s.fix) patch++;
      else {
        minor++;
        patch = 0;
      }
      const version = `${major}.${minor}.${patch}`;
      const leadSeconds = Math.floor((20 * MIN) + unit(`${key}:lead${idx}`) * (s.incidentId ? 1 : 3) * DAY);
      const durSeconds = Math.floor(4 * MIN + unit(`${key}:dur${idx}`) * 11 * MIN);
      // ~6% of regular deployments fail in the pipeline (never reach production)
      const failed = !s.incidentId && !s.fix && unit(`${key}:fail${idx}`) < 0.06;
      const sha = sha40(`${svc.name}@${version}`);
      out.push({
        id: `dep-${svc.name}-${version}`,
        service: svc.name,
        environment: 'production',
        version,
        sha,
        commitTime: s.finish - durSeconds - leadSeconds,
        startTime: s.finish - durSeconds,
        finishTime: s.finish,
        committedAt: iso(s.finish - durSeconds - leadSeconds),
        startedAt: iso(s.finish - durSeconds),
        finishedAt: iso(s.finish),
        result: failed ? 'failure' : 'success',
        causedIncident: Boolean(s.incidentId),
        incidentId: s.incidentId ?? null,
        isFix: Boolean(s.fix),
      });
    });
  }
  out.sort((a, b) => a.finishTime - b.finishTime || a.service.localeCompare(b.service));
  return out;
}

function sha40(key) {
  let s = '';
  for (let i = 0; s.length < 40; i++) s += hash32(`${key}#${i}`).toString(16).padStart(8, '0');
  return s.slice(0, 40);
}
