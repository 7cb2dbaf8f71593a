import { ensureTools } from "../src/tools";

export default function setup() {
  ensureTools((s) => process.stderr.write(`[stack-check] ${s}\n`));
}
