import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { generateRuleGroups, groupToObject, renderRuleFile, yamlScalar } from "../src/index";
import { caseNames, loadCase } from "./support/cases";

// The rule-file emitter is hand-written for speed; the `yaml` package is the oracle.
describe("rule-file YAML emitter", () => {
  it.each(caseNames())("%s: the yaml package parses the output back to exactly the rule groups", (name) => {
    const c = loadCase(name);
    const groups = generateRuleGroups(c.bundles, c.options).flatMap((s) => s.groups);
    expect(parse(renderRuleFile(groups, "t"))).toEqual({ groups: groups.map(groupToObject) });
  });

  const nasty = [
    "", " ", "a ", " a", "true", "False", "yes", "NO", "on", "off", "y", "n", "null", "~", "Null", "nan", ".inf", "-.inf",
    "0", "007", "1e3", "0x1F", "0o17", "1_000", "12:30", "2024-01-01", "1.5", "+1", "-1", ".5", "5m", "1h30m",
    "- a", "-a", "? x", ":x", "a: b", "a:", "a #b", "#x", "&a", "*a", "!tag", "|", ">", "%x", "@x", "`x", "'q'", '"q"',
    "{a: 1}", "[1, 2]", "a,b", "{{ .Labels }}", '{{ "{{" }}', "line1\nline2", "tab\there", "cr\rx", "nul\u0000x",
    "del\u007fx", "c1\u0085x", "ls\u2028x", "ps\u2029x", "bom\ufeffx", "émoji 🔥", "back\\slash", 'sum(rate(x{a="b"}[5m])) or vector(0)',
    "a\\nb", "x\n", "\n", "---", "...", "<<", "=", "$value", "a{b}c", "a[b]c", "a|b", "q'x\"y",
  ];
  it.each(nasty.map((s) => [JSON.stringify(s), s]))("round-trips %s", (_label, s) => {
    expect(parse(`k: ${yamlScalar(s)}\n`)).toEqual({ k: s });
    expect(yamlScalar(s)).not.toContain("\n");
  });

  it("round-trips random strings over a hostile alphabet", () => {
    const alphabet = ["a", "Z", "0", "9", " ", ":", "#", "-", "?", "{", "}", "[", "]", ",", "'", '"', "\\", "\n", "\t", "|", ">", "&", "*", "!", "%", "@", "`", ".", "~", "é", "\u2028", "\u0085", "$"];
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let i = 0; i < 3000; i++) {
      let s = "";
      const len = Math.floor(rnd() * 12);
      for (let j = 0; j < len; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
      expect(parse(`k: ${yamlScalar(s)}\n`), JSON.stringify(s)).toEqual({ k: s });
    }
  });
});
