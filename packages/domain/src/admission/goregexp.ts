/**
 * Syntax check of regular expressions as Prometheus compiles them: Go's `regexp` (RE2 syntax with
 * Perl flags) on the pattern anchored as `^(?:…)$`. JavaScript's engine accepts much that Go
 * refuses (lookaround, backreferences, `\u0041`, possessive quantifiers) and refuses some of what
 * Go accepts (`(?i)` inside a pattern, `[[:alpha:]]`, `\z`, `\pL`, `(?P<n>…)`), so this follows
 * the structure of Go's `regexp/syntax` parser (parse.go) rule by rule instead of approximating
 * it with another engine. Messages are Go's own (`invalid escape sequence: \`\e\``).
 *
 * Version-dependent syntax follows the Go release that built the target Prometheus (from
 * `/api/v1/status/buildinfo`); the default is the oldest supported one, Go 1.19 (Prometheus 2.42).
 */

/** Go toolchain version as [major, minor], e.g. [1, 19]. */
export type GoVersion = readonly [number, number];

/** The oldest Go release Burnrate supports as a target (Prometheus 2.42 / Alertmanager 0.25). */
export const OLDEST_GO_VERSION: GoVersion = [1, 19];

/** Parses "go1.19.8", "1.22", "go1.21rc2" into [major, minor]; unknown text gives the oldest version. */
export function parseGoVersion(text: string | undefined | null): GoVersion {
  const m = /^(?:go)?(\d+)\.(\d+)/.exec((text ?? "").trim());
  if (!m) return OLDEST_GO_VERSION;
  return [Number(m[1]), Number(m[2])];
}

function atLeast(v: GoVersion, major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/** Limits of parse.go: counted repetition, nesting height. */
const MAX_REPEAT = 1000;
const MAX_HEIGHT = 1000;

/** Unicode general categories known to Go's `unicode.Categories` (plus "Any"). */
const CATEGORIES = new Set(
  "C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps S Sc Sk Sm So Z Zl Zp Zs".split(" "),
);

/** Scripts of Unicode 13.0.0, the tables of Go 1.16 to 1.20. */
const SCRIPTS_UNICODE_13 = new Set(
  (
    "Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki Bopomofo " +
    "Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Common " +
    "Coptic Cuneiform Cypriot Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic " +
    "Ethiopic Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Han Hangul Hanifi_Rohingya Hanunoo " +
    "Hatran Hebrew Hiragana Imperial_Aramaic Inherited Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada " +
    "Katakana Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Lao Latin Lepcha Limbu Linear_A Linear_B Lisu " +
    "Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek " +
    "Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nandinagari " +
    "New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Old_Hungarian Old_Italic Old_North_Arabian Old_Permic " +
    "Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa " +
    "Phoenician Psalter_Pahlavi Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian " +
    "Sora_Sompeng Soyombo Sundanese Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangut " +
    "Telugu Thaana Thai Tibetan Tifinagh Tirhuta Ugaritic Vai Wancho Warang_Citi Yezidi Yi Zanabazar_Square"
  ).split(" "),
);
/** Scripts added by Unicode 14 and 15 (Go 1.21 moved to Unicode 15.0.0). */
const SCRIPTS_UNICODE_15 = ["Cypro_Minoan", "Old_Uyghur", "Tangsa", "Toto", "Vithkuqi", "Kawi", "Nag_Mundari"];

const POSIX_CLASSES = new Set(["alnum", "alpha", "ascii", "blank", "cntrl", "digit", "graph", "lower", "print", "punct", "space", "upper", "word", "xdigit"]);

function unicodeTableExists(name: string, go: GoVersion): boolean {
  if (name === "Any" || CATEGORIES.has(name) || SCRIPTS_UNICODE_13.has(name)) return true;
  return atLeast(go, 1, 21) && SCRIPTS_UNICODE_15.includes(name);
}

class GoRegexpError extends Error {
  constructor(code: string, expr: string) {
    super(`${code}: \`${expr}\``);
  }
}

// ---- parse tree (only what the limits need) ----
type Node = { op: "leaf" | "concat" | "alternate" | "capture" | "star" | "plus" | "quest" | "repeat"; subs: Node[]; min: number; max: number };
type Item = Node | { op: "lparen"; cap: boolean } | { op: "vbar" };

const leaf = (): Node => ({ op: "leaf", subs: [], min: 0, max: 0 });
const isPseudo = (i: Item | undefined): boolean => i !== undefined && (i.op === "lparen" || i.op === "vbar");

function repeatIsValid(re: Node, n: number): boolean {
  if (re.op === "repeat") {
    let m = re.max;
    if (m === 0) return true;
    if (m < 0) m = re.min;
    if (m > n) return false;
    if (m > 0) n = Math.floor(n / m);
  }
  return re.subs.every((s) => repeatIsValid(s, n));
}

function height(re: Node): number {
  let h = 1;
  for (const s of re.subs) h = Math.max(h, 1 + height(s));
  return h;
}

/** Code points of a JS string; lone surrogates are invalid UTF-8 for Go. */
function codePoints(s: string): number[] {
  const out: number[] = [];
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (c >= 0xd800 && c <= 0xdfff) throw new GoRegexpError("invalid UTF-8", s);
    out.push(c);
  }
  return out;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;
const isAlnum = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const unhex = (c: number | undefined): number => {
  if (c === undefined) return -1;
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
};
const ch = (s: string) => s.codePointAt(0) ?? 0;

class Parser {
  private stack: Item[] = [];
  private readonly s: number[];
  private readonly text: (from: number, to?: number) => string;

  constructor(
    private readonly whole: string,
    private readonly go: GoVersion,
  ) {
    this.s = codePoints(whole);
    this.text = (from, to) => String.fromCodePoint(...this.s.slice(from, to ?? this.s.length));
  }

  parse(): void {
    const s = this.s;
    let i = 0;
    let lastRepeat = -1;
    while (i < s.length) {
      let repeat = -1;
      const c = s[i];
      switch (c) {
        case ch("("):
          if (s[i + 1] === ch("?")) i = this.perlFlags(i);
          else {
            this.stack.push({ op: "lparen", cap: true });
            i++;
          }
          break;
        case ch("|"):
          this.concat();
          if (!this.swapVerticalBar()) this.stack.push({ op: "vbar" });
          i++;
          break;
        case ch(")"):
          this.rightParen();
          i++;
          break;
        case ch("^"):
        case ch("$"):
        case ch("."):
          this.push(leaf());
          i++;
          break;
        case ch("["):
          i = this.charClass(i);
          this.push(leaf());
          break;
        case ch("*"):
        case ch("+"):
        case ch("?"): {
          const before = i;
          const op = c === ch("*") ? "star" : c === ch("+") ? "plus" : "quest";
          i = this.repeat(op, 0, 0, before, i + 1, lastRepeat);
          repeat = before;
          break;
        }
        case ch("{"): {
          const before = i;
          const r = this.parseRepeat(i);
          if (!r) {
            this.push(leaf());
            i++;
            break;
          }
          const { min, max, after } = r;
          if (min < 0 || min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && min > max)) {
            throw new GoRegexpError("invalid repeat count", this.text(before, after));
          }
          i = this.repeat("repeat", min, max, before, after, lastRepeat);
          repeat = before;
          break;
        }
        case ch("\\"):
          i = this.backslash(i);
          break;
        default:
          this.push(leaf());
          i++;
      }
      lastRepeat = repeat;
    }
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    if (this.stack.length !== 1) throw new GoRegexpError("missing closing )", this.whole);
  }

  private push(n: Node): void {
    this.stack.push(n);
    if (height(n) > MAX_HEIGHT) throw new GoRegexpError("expression nests too deeply", this.whole);
  }

  private repeat(op: Node["op"], min: number, max: number, before: number, after: number, lastRepeat: number): number {
    if (this.s[after] === ch("?")) after++;
    if (lastRepeat >= 0) throw new GoRegexpError("invalid nested repetition operator", this.text(lastRepeat, after));
    const top = this.stack[this.stack.length - 1];
    if (top === undefined || isPseudo(top)) throw new GoRegexpError("missing argument to repetition operator", this.text(before, after));
    const re: Node = { op, subs: [top as Node], min, max };
    this.stack[this.stack.length - 1] = re;
    if (height(re) > MAX_HEIGHT) throw new GoRegexpError("expression nests too deeply", this.whole);
    if (op === "repeat" && (min >= 2 || max >= 2) && !repeatIsValid(re, MAX_REPEAT)) {
      throw new GoRegexpError("invalid repeat count", this.text(before, after));
    }
    return after;
  }

  /** `{n}`, `{n,}`, `{n,m}`; anything else makes `{` a literal. */
  private parseRepeat(i: number): { min: number; max: number; after: number } | null {
    const s = this.s;
    let j = i + 1;
    const a = this.parseInt(j);
    if (!a) return null;
    j = a.rest;
    if (j >= s.length) return null;
    let max: number;
    if (s[j] === ch(",")) {
      j++;
      if (j >= s.length) return null;
      if (s[j] === ch("}")) max = -1;
      else {
        const b = this.parseInt(j);
        if (!b) return null;
        max = b.n;
        j = b.rest;
      }
    } else max = a.n;
    if (j >= s.length || s[j] !== ch("}")) return null;
    return { min: a.n, max, after: j + 1 };
  }

  private parseInt(i: number): { n: number; rest: number } | null {
    const s = this.s;
    if (!isDigit(s[i])) return null;
    if (s[i] === ch("0") && isDigit(s[i + 1])) return null;
    let j = i;
    let n = 0;
    while (isDigit(s[j])) {
      if (n >= 1e8) n = -1;
      else if (n >= 0) n = n * 10 + ((s[j] ?? 48) - 48);
      j++;
    }
    return { n, rest: j };
  }

  private perlFlags(i: number): number {
    const s = this.s;
    const namedP = s[i + 2] === ch("P") && s[i + 3] === ch("<");
    const namedAngle = atLeast(this.go, 1, 22) && s[i + 2] === ch("<") && s[i + 3] !== ch("=") && s[i + 3] !== ch("!");
    if ((namedP && s.length - i > 4) || (namedAngle && s.length - i > 3)) {
      const start = namedP ? i + 4 : i + 3;
      const end = s.indexOf(ch(">"), start);
      if (end < 0) throw new GoRegexpError("invalid named capture", this.text(i));
      const name = s.slice(start, end);
      if (name.length === 0 || !name.every((c) => c === ch("_") || isAlnum(c))) {
        throw new GoRegexpError("invalid named capture", this.text(i, end + 1));
      }
      this.stack.push({ op: "lparen", cap: true });
      return end + 1;
    }
    let j = i + 2;
    let sign = 1;
    let sawFlag = false;
    while (j < s.length) {
      const c = s[j++];
      if (c === ch("i") || c === ch("m") || c === ch("s") || c === ch("U")) {
        sawFlag = true;
        continue;
      }
      if (c === ch("-")) {
        if (sign < 0) break;
        sign = -1;
        sawFlag = false;
        continue;
      }
      if (c === ch(":") || c === ch(")")) {
        if (sign < 0 && !sawFlag) break;
        if (c === ch(":")) this.stack.push({ op: "lparen", cap: false });
        return j;
      }
      break;
    }
    throw new GoRegexpError("invalid or unsupported Perl syntax", this.text(i, j));
  }

  private backslash(i: number): number {
    const s = this.s;
    const n = s[i + 1];
    if (n === ch("A") || n === ch("b") || n === ch("B") || n === ch("z")) {
      this.push(leaf());
      return i + 2;
    }
    if (n === ch("C")) throw new GoRegexpError("invalid escape sequence", "\\C");
    if (n === ch("Q")) {
      // Literal text up to the first \E or the end, as Go's strings.Cut(t[2:], `\E`): a backslash
      // inside is literal too. Empty text (`\Q\E`) pushes nothing, so a following `*` has no operand.
      let j = i + 2;
      while (j < s.length && !(s[j] === ch("\\") && s[j + 1] === ch("E"))) j++;
      if (j > i + 2) this.push(leaf());
      return j < s.length ? j + 2 : j;
    }
    const u = this.unicodeClass(i);
    if (u >= 0) {
      this.push(leaf());
      return u;
    }
    if (n !== undefined && "dDsSwW".includes(String.fromCodePoint(n))) {
      this.push(leaf());
      return i + 2;
    }
    const e = this.escape(i);
    this.push(leaf());
    return e;
  }

  /** `\pL`, `\p{Greek}`, `\P{^Greek}`: returns the index after it, or -1 when not a Unicode class. */
  private unicodeClass(i: number): number {
    const s = this.s;
    if (s[i] !== ch("\\") || (s[i + 1] !== ch("p") && s[i + 1] !== ch("P"))) return -1;
    let name: string;
    let seqEnd: number;
    if (s[i + 2] !== ch("{")) {
      seqEnd = Math.min(i + 3, s.length);
      name = this.text(i + 2, seqEnd);
    } else {
      const end = s.indexOf(ch("}"), i);
      if (end < 0) throw new GoRegexpError("invalid character class range", this.text(i));
      seqEnd = end + 1;
      name = this.text(i + 3, end);
    }
    if (name.startsWith("^")) name = name.slice(1);
    if (!unicodeTableExists(name, this.go)) throw new GoRegexpError("invalid character class range", this.text(i, seqEnd));
    return seqEnd;
  }

  /** Single-character escape; returns the index after it. */
  private escape(i: number): number {
    const s = this.s;
    let j = i + 1;
    if (j >= s.length) throw new GoRegexpError("trailing backslash at end of expression", "");
    const c = s[j++] ?? 0;
    const bad = () => new GoRegexpError("invalid escape sequence", this.text(i, Math.min(j, s.length)));
    if (c < 0x80 && !isAlnum(c)) return j;
    if (c >= ch("1") && c <= ch("7") && !(s[j] !== undefined && (s[j] ?? 0) >= ch("0") && (s[j] ?? 0) <= ch("7"))) throw bad();
    if (c >= ch("0") && c <= ch("7")) {
      for (let k = 1; k < 3 && s[j] !== undefined && (s[j] ?? 0) >= ch("0") && (s[j] ?? 0) <= ch("7"); k++) j++;
      return j;
    }
    if (c === ch("x")) {
      if (j >= s.length) throw bad();
      const d = s[j++];
      if (d === ch("{")) {
        let nhex = 0;
        let r = 0;
        for (;;) {
          if (j >= s.length) throw bad();
          const h = s[j++];
          if (h === ch("}")) break;
          const v = unhex(h);
          if (v < 0) throw bad();
          r = r * 16 + v;
          if (r > 0x10ffff) throw bad();
          nhex++;
        }
        if (nhex === 0) throw bad();
        return j;
      }
      const x = unhex(d);
      const y = unhex(s[j]);
      j++;
      if (x < 0 || y < 0) throw bad();
      return j;
    }
    if ("afnrtv".includes(String.fromCodePoint(c))) return j;
    throw bad();
  }

  /** Character class `[...]`; returns the index after `]`. */
  private charClass(i: number): number {
    const s = this.s;
    let j = i + 1;
    if (s[j] === ch("^")) j++;
    let first = true;
    while (j >= s.length || s[j] !== ch("]") || first) {
      first = false;
      if (j >= s.length) throw new GoRegexpError("missing closing ]", this.text(i));
      // POSIX [:alpha:], [:^alpha:]
      if (s[j] === ch("[") && s[j + 1] === ch(":") && s.length - j > 2) {
        let k = -1;
        for (let x = j + 2; x + 1 < s.length; x++) {
          if (s[x] === ch(":") && s[x + 1] === ch("]")) {
            k = x;
            break;
          }
        }
        if (k >= 0) {
          let name = this.text(j + 2, k);
          if (name.startsWith("^")) name = name.slice(1);
          if (!POSIX_CLASSES.has(name)) throw new GoRegexpError("invalid character class range", this.text(j, k + 2));
          j = k + 2;
          continue;
        }
      }
      const u = this.unicodeClass(j);
      if (u >= 0) {
        j = u;
        continue;
      }
      if (s[j] === ch("\\") && s[j + 1] !== undefined && "dDsSwW".includes(String.fromCodePoint(s[j + 1] ?? 0))) {
        j += 2;
        continue;
      }
      const rangeStart = j;
      const lo = this.classChar(j, i);
      j = lo.next;
      if (s.length - j >= 2 && s[j] === ch("-") && s[j + 1] !== ch("]")) {
        j++;
        const hi = this.classChar(j, i);
        j = hi.next;
        if (hi.value < lo.value) throw new GoRegexpError("invalid character class range", this.text(rangeStart, j));
      }
    }
    return j + 1;
  }

  private classChar(j: number, classStart: number): { value: number; next: number } {
    const s = this.s;
    if (j >= s.length) throw new GoRegexpError("missing closing ]", this.text(classStart));
    if (s[j] === ch("\\")) {
      const next = this.escape(j);
      return { value: this.escapeValue(j, next), next };
    }
    return { value: s[j] ?? 0, next: j + 1 };
  }

  /** The code point of an escape already validated by `escape`. */
  private escapeValue(from: number, to: number): number {
    const body = this.text(from + 1, to);
    const c = body.codePointAt(0) ?? 0;
    if (c >= ch("0") && c <= ch("7")) return parseInt(body, 8);
    if (c === ch("x")) return parseInt(body.replace(/^x\{?|\}$/g, ""), 16);
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11 };
    return simple[body] ?? c;
  }

  // ---- stack reductions (parse.go concat / alternate / swapVerticalBar / parseRightParen) ----
  private popToPseudo(): Node[] {
    let k = this.stack.length;
    while (k > 0 && !isPseudo(this.stack[k - 1])) k--;
    const subs = this.stack.splice(k) as Node[];
    return subs;
  }

  private concat(): void {
    const subs = this.popToPseudo();
    if (subs.length === 0) this.push(leaf());
    else if (subs.length === 1) this.push(subs[0] as Node);
    else this.push(collapse(subs, "concat"));
  }

  private alternate(): void {
    const subs = this.popToPseudo();
    if (subs.length === 0) this.push(leaf());
    else if (subs.length === 1) this.push(subs[0] as Node);
    else this.push(collapse(subs, "alternate"));
  }

  /** parse.go swapVerticalBar: moves the alternative on top below the `|` above the pending ones. */
  private swapVerticalBar(): boolean {
    const n = this.stack.length;
    if (n >= 2 && this.stack[n - 2]?.op === "vbar") {
      const top = this.stack[n - 1] as Item;
      this.stack[n - 1] = this.stack[n - 2] as Item;
      this.stack[n - 2] = top;
      return true;
    }
    return false;
  }

  private rightParen(): void {
    this.concat();
    if (this.swapVerticalBar()) this.stack.pop();
    this.alternate();
    const n = this.stack.length;
    const re1 = this.stack[n - 1] as Node | undefined;
    const re2 = this.stack[n - 2];
    if (n < 2 || re2?.op !== "lparen" || re1 === undefined) throw new GoRegexpError("unexpected )", this.whole);
    this.stack.length = n - 2;
    this.push(re2.cap ? { op: "capture", subs: [re1], min: 0, max: 0 } : re1);
  }
}

/** Flattens nested concatenations/alternations the way Go's `collapse` does. */
function collapse(subs: Node[], op: "concat" | "alternate"): Node {
  const flat: Node[] = [];
  for (const s of subs) {
    if (s.op === op) flat.push(...s.subs);
    else flat.push(s);
  }
  return { op, subs: flat, min: 0, max: 0 };
}

export type GoRegexpOptions = { goVersion?: GoVersion };

/**
 * Checks a label-matcher regex the way Prometheus 2.42 builds its matcher (`NewFastRegexMatcher`):
 * `regexp.Compile("^(?:" + pattern + ")$")`, then `syntax.Parse(pattern, syntax.Perl)` of the
 * pattern alone, so `a)|(b` (valid once wrapped) is refused too. Returns Go's error text, or null.
 */
export function goRegexpError(pattern: string, opts: GoRegexpOptions = {}): string | null {
  const key = `${(opts.goVersion ?? OLDEST_GO_VERSION).join(".")}\u0000${pattern}`;
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const result = goRegexpSyntaxError(`^(?:${pattern})$`, opts) ?? goRegexpSyntaxError(pattern, opts);
  // Catalogues repeat the same few patterns ("5..", "api|web"); bounded so odd input cannot grow it.
  if (cache.size >= 10_000) cache.clear();
  cache.set(key, result);
  return result;
}

const cache = new Map<string, string | null>();

/** Like `goRegexpError` for a pattern used unanchored (as written). */
export function goRegexpSyntaxError(pattern: string, opts: GoRegexpOptions = {}): string | null {
  try {
    new Parser(pattern, opts.goVersion ?? OLDEST_GO_VERSION).parse();
    return null;
  } catch (err) {
    if (err instanceof GoRegexpError) return `error parsing regexp: ${err.message}`;
    throw err;
  }
}
