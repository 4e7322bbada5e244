import { describe, expect, it } from "vitest";
import { csvCell, csvRow } from "./csv";

describe("csv", () => {
  it("quotes commas, quotes and newlines", () => {
    expect(csvCell('a,"b"\nc')).toBe('"a,""b""\nc"');
  });
  it("defuses formulas", () => {
    expect(csvCell("=HYPERLINK(\"x\")")).toBe("\"'=HYPERLINK(\"\"x\"\")\"");
    expect(csvCell("-1+2")).toBe("'-1+2");
  });
  it("writes dates as ISO and nulls as empty", () => {
    expect(csvRow([new Date(0), null, 3])).toBe("1970-01-01T00:00:00.000Z,,3\r\n");
  });
});
