import { parseAllDocuments } from "yaml";
import type { ImportIssue } from "./result";

/**
 * Untrusted YAML (imports) is bounded before it is parsed: a 1 MB document nested thousands of
 * levels deep, or a "billion laughs" of aliases, costs seconds of CPU and memory in a parser.
 * checkYamlBounds is a single linear scan that refuses such input with a path-less issue; the
 * parse itself then runs with an alias limit (and, in the server, in a worker with a time limit).
 */
export const YAML_IMPORT_LIMITS = { maxBytes: 1_000_000, maxDepth: 64, maxIndent: 256, maxAliases: 100, maxAnchors: 100, maxDocuments: 500 } as const;
export type YamlLimits = { [K in keyof typeof YAML_IMPORT_LIMITS]: number };

export function checkYamlBounds(text: string, limits: YamlLimits = YAML_IMPORT_LIMITS): ImportIssue | null {
  if (text.length > limits.maxBytes) return { path: "document", message: `is larger than ${limits.maxBytes} characters` };
  let flow = 0;
  let aliases = 0;
  let anchors = 0;
  let documents = 1;
  let quote: '"' | "'" | null = null;
  let lineStart = true;
  let indent = 0;
  let prev = "\n";
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? "";
    if (c === "\n") {
      lineStart = true;
      indent = 0;
      prev = c;
      if (quote === "'") continue;
      continue;
    }
    if (lineStart) {
      if (c === " ") {
        indent++;
        if (indent > limits.maxIndent) return { path: "document", message: `is indented more than ${limits.maxIndent} columns` };
        prev = c;
        continue;
      }
      lineStart = false;
      if (c === "-" && text.startsWith("---", i) && indent === 0 && quote === null) {
        documents++;
        if (documents > limits.maxDocuments) return { path: "document", message: `has more than ${limits.maxDocuments} YAML documents` };
      }
      // Compact nested sequences ("- - - x") nest without indentation.
      let dashes = 0;
      for (let j = i; text[j] === "-" && text[j + 1] === " "; j += 2) dashes++;
      if (dashes + indent / 2 > limits.maxDepth * 2) return { path: "document", message: `is nested more than ${limits.maxDepth} levels deep` };
    }
    if (quote) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = null;
      prev = c;
      continue;
    }
    if (c === "#" && (prev === " " || prev === "\t" || prev === "\n")) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl - 1;
      continue;
    }
    if ((c === '"' || c === "'") && /[\s,[{:\n-]/.test(prev)) quote = c;
    else if (c === "[" || c === "{") {
      flow++;
      if (flow > limits.maxDepth) return { path: "document", message: `is nested more than ${limits.maxDepth} levels deep` };
    } else if ((c === "]" || c === "}") && flow > 0) flow--;
    else if (c === "*" && /[\s,[{\n]/.test(prev)) {
      aliases++;
      if (aliases > limits.maxAliases) return { path: "document", message: `has more than ${limits.maxAliases} YAML aliases` };
    } else if (c === "&" && /[\s,[{\n]/.test(prev)) {
      anchors++;
      if (anchors > limits.maxAnchors) return { path: "document", message: `has more than ${limits.maxAnchors} YAML anchors` };
    }
    prev = c;
  }
  return null;
}

/** One parsed YAML document of an import: its JS value, or why it could not be read. */
export type ParsedYamlDoc = { index: number; error?: string; body?: unknown };

/**
 * Parses every document (after checkYamlBounds), expanding at most `maxAliases` aliases per
 * document. Never throws for bad input.
 */
export function parseYamlDocs(text: string, limits: YamlLimits = YAML_IMPORT_LIMITS): ParsedYamlDoc[] {
  const bound = checkYamlBounds(text, limits);
  if (bound) return [{ index: 0, error: `the document ${bound.message}` }];
  try {
    return parseAllDocuments(text).map((d, index) => {
      if (d.errors.length > 0) return { index, error: `invalid YAML: ${d.errors[0]?.message ?? "parse error"}` };
      try {
        return { index, body: d.toJS({ maxAliasCount: limits.maxAliases }) as unknown };
      } catch (err) {
        return { index, error: `invalid YAML: ${(err as Error).message}` };
      }
    });
  } catch (err) {
    return [{ index: 0, error: `invalid YAML: ${(err as Error).message}` }];
  }
}
