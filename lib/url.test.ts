import { describe, expect, it } from "vitest";
import { queryString, safeHref } from "./url";

describe("queryString", () => {
  it("drops empty values and encodes the rest", () => {
    expect(queryString({ q: "a b", label: "env=prod", page: 2, empty: "", none: undefined })).toBe("?q=a+b&label=env%3Dprod&page=2");
    expect(queryString({})).toBe("");
  });
});

describe("safeHref", () => {
  it.each(["javascript:alert(1)", "data:text/html,<script>", "vbscript:x", "not a url", ""])("refuses %s", (url) => {
    expect(safeHref(url)).toBeNull();
  });
  it("keeps http and https", () => {
    expect(safeHref("https://github.com/org/repo")).toBe("https://github.com/org/repo");
  });
});
