export { JOB, INSTANCE, BUCKETS, LE_LABELS, CODES, SERVICES, SERVICE_NAMES, hash32, unit, scriptedIncidents, createModel, serviceIndex, MODEL_VERSION, modelParams } from './model.mjs';
export { STATE_FILE, STATE_VERSION, RUNTIME_INCIDENTS_FILE, readState, modelFromState, ensureState, readRuntimeIncidents, addRuntimeIncident, modelFromDataDir } from './state.mjs';
export { writeOpenMetrics, importOpenMetrics, backfill } from './backfill.mjs';
export { startExporter } from './exporter.mjs';
export { demoDeployments, demoIncidents } from './demo-data.mjs';
export { DEFAULT_BINARIES, checkBinaries, prometheusConfig, bootstrapAlertmanagerConfig, startLocalStack, stopLocalStack, localStackStatus, checkContinuity } from './stack.mjs';
