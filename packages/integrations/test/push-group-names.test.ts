import { describe, expect, it } from "vitest";
import { cachedGroupNamesOf, groupNamesOf } from "../src/push/prometheus-file-pusher";

describe("cachedGroupNamesOf", () => {
  const file = (names: string[]) => `groups:\n${names.map((n) => `  - name: ${n}\n    rules: []\n`).join("")}`;

  it("answers exactly what the YAML parse answers, per content", () => {
    for (const names of [["a"], ["a", "b"], ["b", "a"], []]) {
      const content = file(names);
      expect(cachedGroupNamesOf(content)).toEqual(groupNamesOf(content));
      expect(cachedGroupNamesOf(content)).toEqual(names); // second call: from the cache
    }
  });

  it("a caller changing the returned list does not change later answers", () => {
    const content = file(["x", "y"]);
    const first = cachedGroupNamesOf(content);
    first.push("injected");
    first[0] = "changed";
    expect(cachedGroupNamesOf(content)).toEqual(["x", "y"]);
  });

  it("invalid files keep failing (errors are not cached as answers)", () => {
    expect(() => cachedGroupNamesOf("groups: [")).toThrow();
    expect(() => cachedGroupNamesOf("groups: [")).toThrow();
    expect(() => cachedGroupNamesOf("groups:\n  - rules: []\n")).toThrow(/group 1 has no name/);
  });
});
