import fc from "fast-check";
import { parseAllDocuments } from "yaml";
import { describe, expect, it } from "vitest";
import { exportOpenSlo, exportSloth, generateRuleGroups, renderMimirNamespaces, toMimirNamespaces, toPrometheusRules, toYaml } from "../src/index";
import { caseNames, loadCase } from "./support/cases";

/**
 * Exports carry names and descriptions users typed. Whatever they hold (controls, DEL, C1, line and
 * paragraph separators, BOMs, lone surrogates), every export is YAML in the printable character set
 * of YAML 1.2 (what strict parsers such as libyaml and Go's yaml accept), `yaml` parses it without
 * error, and the strings read back exactly as written (no normalisation). Lone surrogates are not
 * among them: the admission gate refuses them before anything is saved.
 */

// YAML 1.2 c-printable (tab, LF, CR, x20-x7E, NEL, xA0-xD7FF, xE000-xFFFD, astral), code point by code point.
const PRINTABLE = /^[\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;

const hostileChar = fc.oneof(
  fc.integer({ min: 0, max: 0x1f }).map((c) => String.fromCharCode(c)),
  fc.integer({ min: 0x7f, max: 0xa0 }).map((c) => String.fromCharCode(c)),
  fc.constantFrom("\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", ":", "#", "'", '"', "\\", "- ", "&a", "*a", "!!", "%", "@", "`", "{", "[", "|", ">", "---", "..."),
  fc.string({ unit: "grapheme", maxLength: 3 }),
);
const hostile = fc.array(hostileChar, { minLength: 1, maxLength: 12 }).map((a) => a.join(""));

/** Every string value in the parsed documents (including keys). */
function strings(v: unknown, out: Set<string> = new Set()): Set<string> {
  if (typeof v === "string") out.add(v);
  else if (Array.isArray(v)) for (const x of v) strings(x, out);
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) {
      out.add(k);
      strings(x, out);
    }
  return out;
}

function parseStrict(text: string): Set<string> {
  expect(text).toMatch(PRINTABLE);
  const docs = parseAllDocuments(text);
  const all = new Set<string>();
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    expect(d.errors.map((e) => e.message)).toEqual([]);
    strings(d.toJS(), all);
  }
  return all;
}

describe("exports with hostile strings", () => {
  const base = loadCase(caseNames()[0] as string).bundles[0];
  if (!base) throw new Error("no golden case");

  it("every format is printable YAML that parses back to the same names and descriptions", () => {
    fc.assert(
      fc.property(hostile, hostile, hostile, hostile, (name, description, serviceName, label) => {
        const b = { ...base, slo: { ...base.slo, name, description, labels: { ...base.slo.labels, owner: label } }, service: { ...base.service, name: serviceName, description } };
        const opts = { version: "t" };
        // Sloth has no display name: its description is the SLO's (or its name when empty).
        for (const [text, want] of [[exportOpenSlo([b], opts), [name, description, serviceName, label]], [exportSloth([b], opts), [description || name, label]]] as const) {
          const got = parseStrict(text);
          for (const s of want) expect(got.has(s), `${JSON.stringify([...s].map((c) => c.codePointAt(0)))} in ${text}`).toBe(true);
        }
        const groups = generateRuleGroups([b], opts);
        for (const text of [toPrometheusRules(groups, opts), renderMimirNamespaces(toMimirNamespaces(groups), "t")]) {
          const got = parseStrict(text);
          expect(got.has(label), JSON.stringify(label)).toBe(true);
        }
      }),
      { numRuns: 100 },
    );
  });

  it("DEL, C1 controls and U+FFFE/U+FFFF, which `yaml` alone writes raw, come out escaped and read back equal", () => {
    for (const s of ["a\u007f", "x\u0086y", "\u009f", "line\nnext\u0090", "nel\u0085ok", "\uffff", "x\ufffe"]) {
      const text = toYaml({ [s]: s, list: [s] });
      expect(text).toMatch(PRINTABLE);
      expect(parseAllDocuments(text)).toHaveProperty("0.errors", []);
      expect(parseStrict(text)).toEqual(new Set([s, "list"]));
    }
  });
});
