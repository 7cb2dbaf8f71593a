import { parser } from "@prometheus-io/lezer-promql";
import { findPromqlSyntaxError } from "../promql/validate";
import { goRegexpError, type GoVersion } from "./goregexp";

/**
 * PromQL checks beyond syntax, for what Prometheus 2.42's parser refuses although the Lezer grammar
 * (written for newer Prometheus, error-tolerant) accepts it: string escapes, label-matcher regexes
 * (Go syntax), argument and operand types, functions and syntax newer than 2.42.
 */

type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

export type ValueType = "scalar" | "vector" | "matrix" | "string";
export type PromqlProblem = { message: string; offset: number };

const V: ValueType = "vector";
const M: ValueType = "matrix";
const S: ValueType = "scalar";
const STR: ValueType = "string";

type Fn = { args: ValueType[]; optional?: number; variadic?: ValueType; returns: ValueType };

/** Functions of Prometheus 2.42 (promql/parser/functions.go) and their argument types. */
const FUNCTIONS: Record<string, Fn> = (() => {
  const t: Record<string, Fn> = {};
  for (const f of "abs ceil floor exp ln log2 log10 sqrt sgn acos acosh asin asinh atan atanh cos cosh sin sinh tan tanh deg rad absent sort sort_desc timestamp histogram_count histogram_sum".split(" ")) {
    t[f] = { args: [V], returns: V };
  }
  for (const f of "absent_over_time avg_over_time count_over_time last_over_time max_over_time min_over_time present_over_time stddev_over_time stdvar_over_time sum_over_time changes delta deriv idelta increase irate rate resets".split(" ")) {
    t[f] = { args: [M], returns: V };
  }
  for (const f of "day_of_month day_of_week day_of_year days_in_month hour minute month year".split(" ")) t[f] = { args: [V], optional: 1, returns: V };
  Object.assign(t, {
    clamp: { args: [V, S, S], returns: V },
    clamp_max: { args: [V, S], returns: V },
    clamp_min: { args: [V, S], returns: V },
    histogram_fraction: { args: [S, S, V], returns: V },
    histogram_quantile: { args: [S, V], returns: V },
    holt_winters: { args: [M, S, S], returns: V },
    label_join: { args: [V, STR, STR], variadic: STR, returns: V },
    label_replace: { args: [V, STR, STR, STR, STR], returns: V },
    pi: { args: [], returns: S },
    predict_linear: { args: [M, S], returns: V },
    quantile_over_time: { args: [S, M], returns: V },
    round: { args: [V, S], optional: 1, returns: V },
    scalar: { args: [V], returns: S },
    time: { args: [], returns: S },
    vector: { args: [S], returns: V },
  } satisfies Record<string, Fn>);
  return t;
})();

/** Aggregations of 2.42 and the type of their parameter, if any. */
const AGGREGATIONS: Record<string, ValueType | null> = {
  sum: null, avg: null, count: null, min: null, max: null, group: null, stddev: null, stdvar: null,
  topk: S, bottomk: S, quantile: S, count_values: STR,
};
/** Aggregations that return one series per group (so one series without grouping). */
const ONE_PER_GROUP = new Set(["sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "quantile"]);

/** Nodes of newer Prometheus releases that 2.42 refuses. */
const NEWER_SYNTAX: Record<string, string> = {
  QuotedLabelMatcher: "quoted label names need Prometheus 3",
  QuotedLabelName: "quoted label names need Prometheus 3",
  MetricName: "quoted metric names need Prometheus 3",
  FillModifier: "fill modifiers are not supported by Prometheus 2.42",
  TrimUpper: "trim operators are not supported by Prometheus 2.42",
  TrimLower: "trim operators are not supported by Prometheus 2.42",
  AnchoredExpr: "anchored selectors are not supported by Prometheus 2.42",
  SmoothedExpr: "smoothed selectors are not supported by Prometheus 2.42",
  LimitK: "limitk is not supported by Prometheus 2.42",
  LimitRatio: "limit_ratio is not supported by Prometheus 2.42",
};

const DURATION_RE = /^(?!$)(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$/;
const NUMBER_RE = /^(?:[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|0[xX][0-9a-fA-F]+)|[iI][nN][fF]|[nN][aA][nN])$/;

class Problem extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/**
 * Unquotes a PromQL string literal the way Prometheus's lexer does (promql/parser/lex.go
 * lexString/lexEscape): `\d` or `\'` inside "…" is an unknown escape, raw newlines end nothing.
 */
export function unquotePromqlString(raw: string): { value: string } | { error: string } {
  const q = raw[0];
  if (q === "`") return { value: raw.slice(1, -1) };
  const body = [...raw.slice(1, -1)];
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const c = body[i] ?? "";
    const code = c.codePointAt(0) ?? 0;
    if (code >= 0xd800 && code <= 0xdfff) return { error: "invalid UTF-8 rune" };
    if (c === "\n") return { error: "unterminated quoted string" };
    if (c !== "\\") {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e === undefined) return { error: "escape sequence not terminated" };
    const simple: Record<string, string> = { a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\\": "\\" };
    if (simple[e] !== undefined) {
      out += simple[e];
      continue;
    }
    if (e === q) {
      out += e;
      continue;
    }
    let n: number;
    let base: number;
    let max: number;
    if (e >= "0" && e <= "7") {
      [n, base, max] = [3, 8, 255];
      i--;
    } else if (e === "x") [n, base, max] = [2, 16, 255];
    else if (e === "u") [n, base, max] = [4, 16, 0x10ffff];
    else if (e === "U") [n, base, max] = [8, 16, 0x10ffff];
    else return { error: `unknown escape sequence U+${(e.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")} '${e}'` };
    let x = 0;
    for (let k = 0; k < n; k++) {
      const d = body[++i];
      const v = d === undefined ? NaN : parseInt(d, base);
      if (d === undefined || Number.isNaN(v) || !/^[0-9a-fA-F]$/.test(d)) return { error: `illegal character ${JSON.stringify(d ?? "")} in escape sequence` };
      x = x * base + v;
    }
    if (x > max || (base !== 8 && x >= 0xd800 && x < 0xe000)) return { error: "escape sequence is an invalid Unicode code point" };
    out += base === 8 || (base === 16 && n === 2) ? String.fromCharCode(x) : String.fromCodePoint(x);
  }
  return { value: out };
}

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** Expression children (skips keywords, operators, modifiers). */
function operands(n: SyntaxNode): SyntaxNode[] {
  return children(n).filter((c) => EXPR_NODES.has(c.name));
}

const EXPR_NODES = new Set([
  "AggregateExpr", "BinaryExpr", "FunctionCall", "MatrixSelector", "NumberDurationLiteral", "OffsetExpr", "ParenExpr",
  "StringLiteral", "SubqueryExpr", "UnaryExpr", "VectorSelector", "StepInvariantExpr", "AnchoredExpr", "SmoothedExpr",
]);

const SET_OPS = new Set(["And", "Or", "Unless"]);
const COMPARISONS = new Set(["Eql", "Neq", "Gtr", "Lss", "Gte", "Lte"]);

type Ctx = { text: string; go?: GoVersion };

function typeOf(n: SyntaxNode, ctx: Ctx): ValueType {
  const src = (x: SyntaxNode) => ctx.text.slice(x.from, x.to);
  switch (n.name) {
    case "PromQL": {
      const [e] = operands(n);
      if (!e) throw new Problem("expression is empty", 0);
      return typeOf(e, ctx);
    }
    case "NumberDurationLiteral":
      if (!NUMBER_RE.test(src(n))) throw new Problem(`"${src(n)}" is not a number for Prometheus 2.42 (durations only go inside [...] or after offset)`, n.from);
      return S;
    case "StringLiteral":
      checkString(n, ctx);
      return STR;
    case "ParenExpr":
    case "StepInvariantExpr":
    case "OffsetExpr": {
      for (const c of children(n)) if (c.name === "OffsetDurationExpr") checkDuration(c, ctx, true);
      const [e] = operands(n);
      if (!e) throw new Problem("empty expression", n.from);
      return typeOf(e, ctx);
    }
    case "UnaryExpr": {
      const [e] = operands(n);
      if (!e) throw new Problem("empty expression", n.from);
      const t = typeOf(e, ctx);
      if (t !== S && t !== V) throw new Problem(`unary expression only allowed on expressions of type scalar or instant vector, got "${label(t)}"`, n.from);
      return t;
    }
    case "VectorSelector":
      checkSelector(n, ctx);
      return V;
    case "MatrixSelector": {
      for (const c of children(n)) {
        if (c.name === "VectorSelector") checkSelector(c, ctx);
        else if (c.name === "DurationExpr") checkDuration(c, ctx, false);
      }
      return M;
    }
    case "SubqueryExpr": {
      const [e] = operands(n);
      if (!e) throw new Problem("empty subquery", n.from);
      const t = typeOf(e, ctx);
      if (t !== V) throw new Problem(`subquery is only allowed on instant vector, got ${label(t)} instead`, n.from);
      for (const c of children(n)) if (c.name === "DurationExpr") checkDuration(c, ctx, false);
      return M;
    }
    case "FunctionCall":
      return functionType(n, ctx);
    case "AggregateExpr":
      return aggregateType(n, ctx);
    case "BinaryExpr":
      return binaryType(n, ctx);
    default:
      throw new Problem(NEWER_SYNTAX[n.name] ?? `unsupported expression "${src(n).slice(0, 40)}"`, n.from);
  }
}

function label(t: ValueType): string {
  return t === "matrix" ? "range vector" : t === "vector" ? "instant vector" : t;
}

function expect(n: SyntaxNode, want: ValueType, ctx: Ctx, what: string): void {
  const got = typeOf(n, ctx);
  if (got !== want) throw new Problem(`expected type ${label(want)} in ${what}, got ${label(got)}`, n.from);
}

function functionType(n: SyntaxNode, ctx: Ctx): ValueType {
  const id = children(n).find((c) => c.name === "FunctionIdentifier");
  const name = id ? ctx.text.slice(id.from, id.to) : "";
  const fn = FUNCTIONS[name];
  if (!fn) throw new Problem(`function "${name}" is not supported by Prometheus 2.42`, n.from);
  const body = children(n).find((c) => c.name === "FunctionCallBody");
  const args = body ? operands(body) : [];
  const min = fn.args.length - (fn.optional ?? 0);
  const max = fn.variadic ? Infinity : fn.args.length;
  if (args.length < min || args.length > max) {
    throw new Problem(`function "${name}" expects ${min === fn.args.length ? min : `${min} to ${fn.args.length}`} argument(s), got ${args.length}`, n.from);
  }
  args.forEach((a, i) => expect(a, fn.args[i] ?? fn.variadic ?? V, ctx, `call to function "${name}"`));
  return fn.returns;
}

function aggregateType(n: SyntaxNode, ctx: Ctx): ValueType {
  const opNode = children(n).find((c) => c.name === "AggregateOp");
  const op = opNode ? ctx.text.slice(opNode.from, opNode.to).toLowerCase() : "";
  if (opNode?.firstChild && NEWER_SYNTAX[opNode.firstChild.name]) throw new Problem(NEWER_SYNTAX[opNode.firstChild.name] ?? "", n.from);
  if (!(op in AGGREGATIONS)) throw new Problem(`aggregation "${op}" is not supported by Prometheus 2.42`, n.from);
  const param = AGGREGATIONS[op] ?? null;
  const body = children(n).find((c) => c.name === "FunctionCallBody");
  const args = body ? operands(body) : [];
  const want = param ? 2 : 1;
  if (args.length !== want) throw new Problem(`aggregation "${op}" expects ${want} argument(s), got ${args.length}`, n.from);
  if (param && args[0]) expect(args[0], param, ctx, `aggregation "${op}"`);
  const last = args[args.length - 1];
  if (last) expect(last, V, ctx, `aggregation "${op}"`);
  return V;
}

function binaryType(n: SyntaxNode, ctx: Ctx): ValueType {
  const [l, r] = operands(n);
  if (!l || !r) throw new Problem("incomplete binary expression", n.from);
  const opNode = children(n).find((c) => !EXPR_NODES.has(c.name) && c.name !== "BoolModifier" && c.name !== "MatchingModifierClause");
  const op = opNode?.name ?? "";
  if (NEWER_SYNTAX[op]) throw new Problem(NEWER_SYNTAX[op] ?? "", opNode?.from ?? n.from);
  for (const c of children(n)) if (NEWER_SYNTAX[c.name]) throw new Problem(NEWER_SYNTAX[c.name] ?? "", c.from);
  const lt = typeOf(l, ctx);
  const rt = typeOf(r, ctx);
  for (const [t, x] of [[lt, l], [rt, r]] as const) {
    if (t !== S && t !== V) throw new Problem(`binary expression must contain only scalar and instant vector types, got ${label(t)}`, x.from);
  }
  const hasBool = children(n).some((c) => c.name === "BoolModifier");
  if (SET_OPS.has(op) && (lt === S || rt === S)) throw new Problem(`set operator "${ctx.text.slice(opNode?.from, opNode?.to)}" not allowed in binary scalar expression`, n.from);
  if (COMPARISONS.has(op) && lt === S && rt === S && !hasBool) throw new Problem("comparisons between scalars must use BOOL modifier", n.from);
  return lt === S && rt === S ? S : V;
}

function checkDuration(n: SyntaxNode, ctx: Ctx, offset: boolean): void {
  let text = ctx.text.slice(n.from, n.to).trim();
  if (offset) text = text.replace(/^-\s*/, "");
  if (!DURATION_RE.test(text)) throw new Problem(`"${text}" is not a duration Prometheus 2.42 accepts (e.g. 5m, 1h30m)`, n.from);
  if (/^(0+[a-z]+)+$/.test(text)) throw new Problem(`duration "${text}" must be greater than 0`, n.from);
}

function checkSelector(n: SyntaxNode, ctx: Ctx): void {
  const matchers = children(n).find((c) => c.name === "LabelMatchers");
  const name = children(n).find((c) => c.name === "Identifier");
  let nonEmpty = false;
  if (name) nonEmpty = true;
  for (const m of matchers ? children(matchers) : []) {
    if (NEWER_SYNTAX[m.name]) throw new Problem(NEWER_SYNTAX[m.name] ?? "", m.from);
    if (m.name !== "UnquotedLabelMatcher") continue;
    const labelName = children(m).find((c) => c.name === "LabelName");
    if (name && labelName && ctx.text.slice(labelName.from, labelName.to) === "__name__") {
      throw new Problem("metric name must not be set twice", m.from);
    }
    const op = children(m).find((c) => c.name === "MatchOp")?.firstChild?.name;
    const str = children(m).find((c) => c.name === "StringLiteral");
    if (!str) continue;
    const value = checkString(str, ctx);
    if (op === "EqlRegex" || op === "NeqRegex") {
      const err = goRegexpError(value, { goVersion: ctx.go });
      if (err) throw new Problem(err, str.from);
    }
    // A selector must have a matcher that does not match the empty string (Prometheus refuses {a=""}).
    if (!nonEmpty && !matchesEmpty(op, value)) nonEmpty = true;
  }
  if (!nonEmpty) throw new Problem("vector selector must contain at least one non-empty matcher", n.from);
}

/**
 * Whether a matcher matches the empty string (series without the label). Regexes are tried with
 * JavaScript's engine, which agrees with Go on whether "" matches for the syntax both share; a
 * pattern JavaScript cannot compile counts as matching "" (the selector is then refused unless
 * another matcher is non-empty, which errs on the side of refusing).
 */
function matchesEmpty(op: string | undefined, value: string): boolean {
  if (op === "EqlSingle") return value === "";
  if (op === "Neq") return value !== "";
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${value})$`, "su");
  } catch {
    return true;
  }
  return op === "EqlRegex" ? re.test("") : !re.test("");
}

function checkString(n: SyntaxNode, ctx: Ctx): string {
  const r = unquotePromqlString(ctx.text.slice(n.from, n.to));
  if ("error" in r) throw new Problem(r.error, n.from);
  return r.value;
}

/** Whether an expression provably returns at most one series (so recording it cannot collide). */
function oneSeries(n: SyntaxNode, ctx: Ctx): boolean {
  switch (n.name) {
    case "PromQL":
    case "ParenExpr":
    case "StepInvariantExpr":
    case "OffsetExpr":
    case "UnaryExpr": {
      const [e] = operands(n);
      return !!e && oneSeries(e, ctx);
    }
    case "NumberDurationLiteral":
      return true;
    case "AggregateExpr": {
      const op = ctx.text.slice(n.firstChild?.from ?? n.from, n.firstChild?.to ?? n.from).toLowerCase();
      const mod = children(n).find((c) => c.name === "AggregateModifier");
      if (!ONE_PER_GROUP.has(op)) return false;
      if (!mod) return true;
      const by = mod.firstChild?.name === "By";
      const labels = children(mod).find((c) => c.name === "GroupingLabels");
      return by && !!labels && !labels.firstChild;
    }
    case "FunctionCall": {
      const id = children(n).find((c) => c.name === "FunctionIdentifier");
      const name = id ? ctx.text.slice(id.from, id.to) : "";
      const fn = FUNCTIONS[name];
      if (!fn) return false;
      if (fn.returns === S || name === "vector" || name === "absent" || name === "absent_over_time") return true;
      const body = children(n).find((c) => c.name === "FunctionCallBody");
      const args = body ? operands(body) : [];
      const vecArg = args.find((a, i) => (fn.args[i] ?? fn.variadic) === V);
      if (vecArg) return oneSeries(vecArg, ctx);
      const matArg = args.find((a, i) => fn.args[i] === M);
      if (matArg?.name === "SubqueryExpr") {
        const [inner] = operands(matArg);
        return !!inner && oneSeries(inner, ctx);
      }
      return false;
    }
    case "BinaryExpr": {
      const [l, r] = operands(n);
      if (!l || !r) return false;
      const op = children(n).find((c) => !EXPR_NODES.has(c.name) && c.name !== "BoolModifier" && c.name !== "MatchingModifierClause")?.name ?? "";
      if (op === "Or") return oneSeries(l, ctx) && oneSeries(r, ctx) && labelFree(l, ctx) && labelFree(r, ctx);
      const lt = safeType(l, ctx);
      if (lt === S) return oneSeries(r, ctx);
      return oneSeries(l, ctx);
    }
    default:
      return false;
  }
}

function safeType(n: SyntaxNode, ctx: Ctx): ValueType | null {
  try {
    return typeOf(n, ctx);
  } catch {
    return null;
  }
}

/** One series without labels: an aggregation without grouping, vector(), a number. */
function labelFree(n: SyntaxNode, ctx: Ctx): boolean {
  if (n.name === "ParenExpr") {
    const [e] = operands(n);
    return !!e && labelFree(e, ctx);
  }
  if (n.name === "NumberDurationLiteral") return true;
  if (n.name === "AggregateExpr") return oneSeries(n, ctx);
  if (n.name === "FunctionCall") return ctx.text.slice(n.from, n.to).startsWith("vector(");
  if (n.name === "BinaryExpr") return operands(n).every((o) => labelFree(o, ctx));
  return false;
}

export type PromqlCheckOptions = {
  goVersion?: GoVersion;
  /** Type the expression must have (default: scalar or instant vector, as in a rule). */
  type?: ValueType | "scalar-or-vector";
  /** The expression must return at most one series. */
  singleSeries?: boolean;
};

/**
 * Checks a PromQL expression as Prometheus 2.42 would load it in a rule: syntax, string escapes,
 * regexes, types. Returns the first problem (message and 0-based offset) or null.
 */
export function checkPromql(expr: string, opts: PromqlCheckOptions = {}): PromqlProblem | null {
  const syntax = findPromqlSyntaxError(expr);
  if (syntax) return { message: syntax.message, offset: syntax.offset };
  const tree = parser.parse(expr);
  const ctx: Ctx = { text: expr, go: opts.goVersion };
  try {
    const t = typeOf(tree.topNode, ctx);
    const want = opts.type ?? "scalar-or-vector";
    if (want === "scalar-or-vector" ? t !== S && t !== V : t !== want) {
      const wanted = want === "scalar-or-vector" ? "a scalar or an instant vector" : `a ${label(want)}`;
      return { message: `must be ${wanted}, got a ${label(t)}`, offset: 0 };
    }
    if (opts.singleSeries && !oneSeries(tree.topNode, ctx)) {
      return { message: "must return a single series: wrap it in an aggregation without grouping, e.g. max(...)", offset: 0 };
    }
    return null;
  } catch (err) {
    if (err instanceof Problem) return { message: err.message, offset: err.offset };
    throw err;
  }
}

/**
 * Offsets of range durations (`[…]` of a range selector or subquery) in an expression, used to
 * check that the `{{.window}}` placeholder stands where a range goes.
 */
export function rangeDurationSpans(expr: string): Array<{ from: number; to: number }> {
  const out: Array<{ from: number; to: number }> = [];
  parser.parse(expr).iterate({
    enter(n) {
      if (n.name === "DurationExpr" && (n.node.parent?.name === "MatrixSelector" || n.node.parent?.name === "SubqueryExpr")) {
        out.push({ from: n.from, to: n.to });
      }
    },
  });
  return out;
}
