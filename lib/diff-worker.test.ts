import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { diffOffThread, stopDiffWorker } from "./diff-worker";

// Hardening case 28: a 12,000-line change of Helm values used to freeze the whole server for
// minutes (the diff ran on the request's event loop with no bound). Now it is bounded and
// runs in a worker thread: a request made while it runs is answered before it returns.
const values = (tag: string) => Array.from({ length: 12_000 }, (_, i) => `  key${i}: ${tag}-${(i * 7919) % 12_000}`).join("\n");

afterAll(() => stopDiffWorker());

function health(): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer((_, res) => res.end('{"status":"ok"}'));
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/health` })));
}

describe("diffOffThread", () => {
  it("diffs small texts as diffLines does", async () => {
    const hunks = await diffOffThread("a\nb\nc\n", "a\nB\nc\n");
    expect(hunks?.[0]?.lines).toContainEqual({ kind: "add", text: "B", oldLine: null, newLine: 2 });
    expect(await diffOffThread("same\n", "same\n")).toEqual([]);
  });

  it("answers a concurrent request while a 12,000-line changed values diff runs, and calls that diff too large", async () => {
    const { server, url } = await health();
    try {
      const order: string[] = [];
      const diff = diffOffThread(values("old"), values("new")).then((hunks) => {
        order.push("diff");
        return hunks;
      });
      const answered = fetch(url).then(async (response) => {
        order.push("health");
        return response.status;
      });
      expect(await answered).toBe(200);
      expect(await diff).toBeNull();
      expect(order).toEqual(["health", "diff"]);
    } finally {
      server.close();
    }
  });
});
