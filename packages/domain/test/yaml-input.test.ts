import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkYamlBounds, importOpenSlo, importSloth, parseYamlDocs } from "../src/index";

/**
 * Hostile import YAML is refused before the parser spends seconds on it (security round 2,
 * finding 4; the alias bomb of finding 6 used to throw out of the importer, a 500).
 */
const deepFlow = `${"[".repeat(200_000)}${"]".repeat(200_000)}`;
const deepBlock = Array.from({ length: 400 }, (_, i) => `${" ".repeat(i * 2)}k${i}:`).join("\n");
const compact = `${"- ".repeat(5000)}x`;
const laughs = ["a: &a [x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(", ")}]`)].join("\n");

describe("checkYamlBounds", () => {
  it.each([
    ["deep flow nesting", deepFlow, "nested more than"],
    ["deep block nesting", deepBlock, "indented more than"],
    ["compact nested sequences", compact, "nested more than"],
    ["an alias bomb", laughs, "aliases"],
    ["too large", "a: b\n".repeat(300_000), "larger than"],
  ])("refuses %s quickly", (_name, text, message) => {
    const t0 = performance.now();
    expect(checkYamlBounds(text)?.message).toContain(message);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it("accepts ordinary documents, quoted brackets and comments included", () => {
    expect(checkYamlBounds('a: "[[[[{{{{ *x &y"\nb: [1, {c: d}] # ]]]] *z\n---\nc: \'[[[\'\n')).toBeNull();
  });

  it("importers report bounded input as an issue, never throw", () => {
    for (const text of [deepFlow, laughs, compact]) {
      for (const imp of [importOpenSlo, importSloth]) {
        const r = imp(text);
        expect(r.ok).toBe(false);
      }
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        expect(() => parseYamlDocs(s)).not.toThrow();
        expect(() => importOpenSlo(s)).not.toThrow();
        expect(() => importSloth(s)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
