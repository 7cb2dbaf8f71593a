export { JOB, INSTANCE, BUCKETS, LE_LABELS, CODES, SERVICES, SERVICE_NAMES, hash32, unit, scriptedIncidents, createModel, serviceIndex } from './model.mjs';
export { STATE_FILE, RUNTIME_INCIDENTS_FILE, readState, ensureState, readRuntimeIncidents, addRuntimeIncident, modelFromDataDir } from './state.mjs';
export { writeOpenMetrics, importOpenMetrics, backfill } from './backfill.mjs';
export { startExporter } from './exporter.mjs';
export { demoDeployments, demoIncidents } from './demo-data.mjs';
export { DEFAULT_BINARIES, checkBinaries, prometheusConfig, bootstrapAlertmanagerConfig, startLocalStack, stopLocalStack, localStackStatus } from './stack.mjs';
