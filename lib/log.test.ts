import { afterEach, describe, expect, it, vi } from "vitest";
import { installConsoleRedaction } from "./log";

const CANARY = "ghp_Canary0123456789abcdefABCDEF012345";

afterEach(() => vi.restoreAllMocks());

describe("installConsoleRedaction", () => {
  it("scrubs what Next itself prints (an error thrown out of a server action) before it reaches the log", () => {
    const written: string[] = [];
    // What the console would have printed: installConsoleRedaction wraps these.
    const collect = (...args: unknown[]) => void written.push(args.map(String).join(" "));
    const spies = [vi.spyOn(console, "error").mockImplementation(collect), vi.spyOn(console, "warn").mockImplementation(collect)];
    const restore = installConsoleRedaction();
    try {
      const error = new Error(`clone of https://x-access-token:${CANARY}@github.com/acme/fleet failed`);
      console.error("⨯ Error in server action", error);
      console.warn({ detail: `token ${CANARY}` });
    } finally {
      restore();
      for (const spy of spies) spy.mockRestore();
    }
    const output = written.join("");
    expect(output).toContain("server action");
    expect(output).toContain("[redacted]");
    expect(output).not.toContain(CANARY);
  });
});
