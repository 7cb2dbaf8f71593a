import { describe, expect, it } from "vitest";
import { lineDiff } from "../src/diff";

describe("lineDiff", () => {
  it("marks unchanged, removed and added lines in order", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc")).toEqual([
      { op: " ", line: "a" },
      { op: "-", line: "b" },
      { op: "+", line: "x" },
      { op: " ", line: "c" },
    ]);
  });
  it("treats an empty before as all additions", () => {
    expect(lineDiff("", "a\nb")).toEqual([{ op: "+", line: "a" }, { op: "+", line: "b" }]);
  });
  it("reproduces the after text from unchanged and added lines", () => {
    const before = "x\ny\nz\nq";
    const after = "y\nz2\nq\nw";
    const d = lineDiff(before, after);
    expect(d.filter((l) => l.op !== "-").map((l) => l.line).join("\n")).toBe(after);
    expect(d.filter((l) => l.op !== "+").map((l) => l.line).join("\n")).toBe(before);
  });
});
