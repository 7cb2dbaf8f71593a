export { checkStack, interpolate, hostPort, listeningPorts, EXPECT, SAMPLE_LOG_LINE, type Problem } from "./checks";
export { loadStack, repoFs, normalizeMounts, REPO_ROOT, FILES, type Stack, type Fs } from "./load";
export { ensureTools, runTool, TOOLS } from "./tools";
