import { describe, expect, it } from "vitest";
import { goRegexpError, parseGoVersion } from "../src/admission/goregexp";

/**
 * What Go's regexp (Prometheus 2.42, Go 1.19) refuses although JavaScript accepts it, and the
 * reverse. Every row was checked against the installed promtool; the property test in
 * admission-property.test.ts compares the checker with promtool on random patterns.
 */
const jsAcceptsGoRefuses: Array<[string, string]> = [
  ["(?=a)", "invalid or unsupported Perl syntax: `(?=`"],
  ["(?!a)", "invalid or unsupported Perl syntax: `(?!`"],
  ["(?<=a)b", "invalid or unsupported Perl syntax: `(?<`"],
  ["(?<!a)b", "invalid or unsupported Perl syntax: `(?<`"],
  ["(a)\\1", "invalid escape sequence: `\\1`"],
  ["(?<n>a)\\k<n>", "invalid or unsupported Perl syntax: `(?<`"],
  ["(?<n>x)", "invalid or unsupported Perl syntax: `(?<`"],
  ["x{1001}", "invalid repeat count: `{1001}`"],
  // \Q\E is empty literal text: the * has no operand (found by the property test against promtool).
  ["\\Q\\E*.", "missing argument to repetition operator: `*`"],
  ["(x{100}){100}", "invalid repeat count: `{100}`"],
  ["\\u0041", "invalid escape sequence: `\\u`"],
  ["\\e", "invalid escape sequence: `\\e`"],
  ["\\cA", "invalid escape sequence: `\\c`"],
  ["[\\b]", "invalid escape sequence: `\\b`"],
];

const goRefusesOnly: Array<[string, string]> = [
  ["(?>a)", "invalid or unsupported Perl syntax: `(?>`"],
  ["a*+", "invalid nested repetition operator: `*+`"],
  ["a++", "invalid nested repetition operator: `++`"],
  ["a{2}{3}", "invalid nested repetition operator: `{2}{3}`"],
  ["\\Z", "invalid escape sequence: `\\Z`"],
  ["\\C", "invalid escape sequence: `\\C`"],
  ["\\p{Kawi}", "invalid character class range: `\\p{Kawi}`"],
  ["[[:foo:]]", "invalid character class range: `[:foo:]`"],
  ["(?#comment)", "invalid or unsupported Perl syntax: `(?#`"],
  ["(?P=n)", "invalid or unsupported Perl syntax: `(?P`"],
  // Valid once wrapped as ^(?:a)|(b)$, but Prometheus also parses the pattern alone.
  ["a)|(b", "unexpected ): `a)|(b`"],
];

const goAcceptsJsRefuses = ["(?i)abc", "a(?i)b", "(?i:a)b", "(?s-i:a.b)", "\\pL+", "\\p{Greek}", "\\PN", "[[:alpha:]]+", "[[:^digit:]]", "\\z", "\\A", "(?P<name>a)", "\\Q.*\\E", "a\\Q\\E*", "\\Q\\\\E*", "(?U)a*", "(?)", "\\x{10FFFF}"];
const bothAccept = ["5..", "2..|3..", ".*", "", "a|b|c", "[a-z0-9_-]+", "(GET|POST)", "^/api/.*$", "[]a]", "a{,3}", "\\d{3}", "[\\d-z]", "x{1000}", "(a{2}){500}", "\\_"];

describe("Go regexp syntax (Prometheus 2.42 / Go 1.19)", () => {
  it.each(jsAcceptsGoRefuses)("refuses %s, which JavaScript accepts", (pattern, message) => {
    expect(() => new RegExp(pattern)).not.toThrow();
    expect(goRegexpError(pattern)).toBe(`error parsing regexp: ${message}`);
  });

  it.each(goRefusesOnly)("refuses %s", (pattern, message) => {
    expect(goRegexpError(pattern)).toBe(`error parsing regexp: ${message}`);
  });

  it.each(goAcceptsJsRefuses)("accepts %s, which JavaScript refuses", (pattern) => {
    expect(() => new RegExp(pattern, "u")).toThrow();
    expect(goRegexpError(pattern)).toBeNull();
  });

  it.each(bothAccept)("accepts %s", (pattern) => {
    expect(goRegexpError(pattern)).toBeNull();
  });

  it("refuses lone surrogates (invalid UTF-8)", () => {
    expect(goRegexpError("a\ud800")).toMatch(/invalid UTF-8/);
  });

  it("limits nesting like Go (height 1000) and counts the ^(?:…)$ wrapper", () => {
    expect(goRegexpError("(".repeat(990) + "a" + ")".repeat(990))).toBeNull();
    expect(goRegexpError("(".repeat(1000) + "a" + ")".repeat(1000))).toMatch(/expression nests too deeply/);
    expect(goRegexpError("(a".repeat(499) + ")".repeat(499))).toBeNull();
    expect(goRegexpError("(a".repeat(500) + ")".repeat(500))).toMatch(/expression nests too deeply/);
    expect(goRegexpError("(?:".repeat(2000) + "a" + ")".repeat(2000))).toBeNull();
  });

  it("follows the target's Go version: (?<name>) from Go 1.22, Unicode 15 scripts from Go 1.21", () => {
    expect(goRegexpError("(?<n>x)", { goVersion: parseGoVersion("go1.22.1") })).toBeNull();
    expect(goRegexpError("(?<=x)", { goVersion: parseGoVersion("go1.22.1") })).toMatch(/unsupported Perl syntax/);
    expect(goRegexpError("\\p{Kawi}", { goVersion: parseGoVersion("go1.21.0") })).toBeNull();
    expect(goRegexpError("\\p{Kawi}", { goVersion: parseGoVersion("go1.20.14") })).not.toBeNull();
    expect(parseGoVersion(undefined)).toEqual([1, 19]);
    expect(parseGoVersion("garbage")).toEqual([1, 19]);
  });
});
