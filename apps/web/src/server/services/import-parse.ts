import "server-only";
import { Worker } from "node:worker_threads";
import { checkYamlBounds, YAML_IMPORT_LIMITS, type ParsedYamlDoc } from "@burnrate/domain";
import { ApiError } from "../http/errors";

/**
 * The parse step of imports, off the request thread: the text is bounded first (size, depth,
 * aliases: @burnrate/domain formats/yaml-input), then parsed in a worker thread with a time and
 * memory limit, so one hostile import never blocks the requests of everybody else. The result is
 * the plain documents the domain importers take.
 */
const PARSE_TIMEOUT_MS = 5_000;
const MAX_CONCURRENT = 2;
let running = 0;

// Plain CommonJS run with `eval` (no bundling): the same parse as the domain's parseYamlDocs.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { parseAllDocuments } = require("yaml");
let out;
try {
  out = parseAllDocuments(workerData.text).map((d, index) => {
    if (d.errors.length > 0) return { index, error: "invalid YAML: " + (d.errors[0] ? d.errors[0].message : "parse error") };
    try {
      return { index, body: d.toJS({ maxAliasCount: workerData.maxAliases }) };
    } catch (err) {
      return { index, error: "invalid YAML: " + err.message };
    }
  });
} catch (err) {
  out = [{ index: 0, error: "invalid YAML: " + err.message }];
}
parentPort.postMessage(out);
`;

export async function parseImportYaml(text: string, timeoutMs = PARSE_TIMEOUT_MS): Promise<ParsedYamlDoc[]> {
  if (text.includes("\u0000")) throw new ApiError("bad_request", "import must not contain NUL characters");
  const bound = checkYamlBounds(text);
  if (bound) throw new ApiError("bad_request", `import: the document ${bound.message}`, { document: bound.message });
  if (running >= MAX_CONCURRENT) throw new ApiError("rate_limited", "other imports are being parsed; try again in a few seconds");
  running++;
  try {
    return await new Promise<ParsedYamlDoc[]>((resolve, reject) => {
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { text, maxAliases: YAML_IMPORT_LIMITS.maxAliases }, resourceLimits: { maxOldGenerationSizeMb: 256, maxYoungGenerationSizeMb: 32 } });
      const timer = setTimeout(() => {
        void w.terminate();
        reject(new ApiError("bad_request", `import: parsing took longer than ${timeoutMs / 1000} s; split the document or simplify it`, { document: "too expensive to parse" }));
      }, timeoutMs);
      w.once("message", (docs: ParsedYamlDoc[]) => {
        clearTimeout(timer);
        void w.terminate();
        resolve(docs);
      });
      w.once("error", (err) => {
        clearTimeout(timer);
        reject(new ApiError("bad_request", `import: the document could not be parsed (${err.message.slice(0, 200)})`, { document: "could not be parsed" }));
      });
    });
  } finally {
    running--;
  }
}
