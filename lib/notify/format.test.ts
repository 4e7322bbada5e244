import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { buildPayload, escapeMarkdown, escapeSlack, LISTED_ITEMS, sign, summarize, type Notice } from "./format";

const notice = (items: Notice["items"]): Notice => ({
  event: "configuration.non-compliant",
  severity: "critical",
  summary: summarize("configuration.non-compliant", items),
  url: "https://fleetline.example.com/configurations/c1",
  items,
  count: items.length,
  sentAt: "2026-12-02T00:00:00.000Z",
});

describe("escaping", () => {
  it("Slack: &, < and > only, so <!channel> and forged links stay text", () => {
    expect(escapeSlack("<!channel> & <http://evil|click>")).toBe("&lt;!channel&gt; &amp; &lt;http://evil|click&gt;");
  });

  it("markdown: formatting, links and mentions are backslashed; newlines flattened", () => {
    expect(escapeMarkdown("*bold* [x](http://e) @everyone\nnext")).toBe("\\*bold\\* \\[x\\]\\(http\\://e\\) \\@everyone next");
  });
});

describe("summaries and grouping", () => {
  it("names the configuration and counts the clusters", () => {
    const items = Array.from({ length: 300 }, (_, i) => ({ cluster: `c-${i}`, configuration: "web", detail: "failed" }));
    expect(summarize("configuration.non-compliant", items)).toBe("web became Non-Compliant on 300 clusters");
    expect(summarize("cluster.unreachable", [{ cluster: "edge-1" }])).toBe("Cluster edge-1 is unreachable");
    expect(summarize("drift.detected", [{ cluster: "edge-1", configuration: "web" }])).toBe("web started drifting on 1 cluster");
    expect(summarize("waiver.expiring", [{ detail: "a" }, { detail: "b" }])).toBe("2 waivers are about to expire");
  });

  it("lists the first few items in chat messages and counts the rest", () => {
    const items = Array.from({ length: 12 }, (_, i) => ({ cluster: `c-${i}`, configuration: "web", detail: null }));
    const text = (JSON.parse(buildPayload("slack", notice(items)).body) as { text: string }).text;
    expect(text.split("\n").filter((l) => l.startsWith("•"))).toHaveLength(LISTED_ITEMS);
    expect(text).toContain(`…and ${12 - LISTED_ITEMS} more`);
  });

  it("keeps Discord messages under its 2000-character limit and pings nobody", () => {
    const items = [{ cluster: "c", configuration: "web", detail: "@everyone ".repeat(500) }];
    const body = JSON.parse(buildPayload("discord", notice(items)).body) as { content: string; allowed_mentions: unknown };
    expect(body.content.length).toBeLessThanOrEqual(1900);
    expect(body.allowed_mentions).toEqual({ parse: [] });
  });
});

describe("the generic webhook", () => {
  it("carries the documented body and a signature over timestamp.body", () => {
    const p = buildPayload("webhook", notice([{ cluster: "c", configuration: "web", detail: "x" }]), "k".repeat(20), 1_800_000_000_000);
    expect(p.headers["x-fleetline-timestamp"]).toBe("1800000000");
    const expected = crypto.createHmac("sha256", "k".repeat(20)).update(`1800000000.${p.body}`).digest("hex");
    expect(p.headers["x-fleetline-signature"]).toBe(`sha256=${expected}`);
    expect(sign("k".repeat(20), "1800000000", p.body)).toBe(expected);
    expect(JSON.parse(p.body)).toEqual({ event: "configuration.non-compliant", severity: "critical", summary: "web became Non-Compliant on 1 cluster", url: "https://fleetline.example.com/configurations/c1", items: [{ cluster: "c", configuration: "web", detail: "x" }], count: 1, sentAt: "2026-12-02T00:00:00.000Z" });
  });
});
