import crypto from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { useTempDatabase } from "@/test-support/temp-db";

// Real receivers on 127.0.0.1, a real SQLite file, the real dispatcher: each channel's payload,
// retries on 429 (Retry-After) and 500, a receiver that never answers, the 300-cluster flip as
// one message, and the generic webhook's signature checked here with node:crypto alone.

process.env.FLEETLINE_ALLOW_LOCAL_SOURCES = "true";
process.env.NEXTAUTH_URL = "https://fleetline.example.com";
process.env.FLEETLINE_BACKGROUND = "off";

type Received = { headers: http.IncomingHttpHeaders; body: string; at: number };
type Receiver = { url: string; received: Received[]; close: () => Promise<void> };

const receivers: Receiver[] = [];

/** A local HTTP receiver; `answer` decides each reply by the request's number (0-based), or leaves it hanging. */
async function receiver(answer: (n: number, res: http.ServerResponse) => void = (_n, res) => res.end("ok")): Promise<Receiver> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body, at: Date.now() });
      answer(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const r: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-path`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  receivers.push(r);
  return r;
}

let temp: Awaited<ReturnType<typeof useTempDatabase>>;
let store: typeof import("./store");
let dispatch: typeof import("./dispatch");
let send: typeof import("./send");

beforeAll(async () => {
  temp = await useTempDatabase();
  store = await import("./store");
  dispatch = await import("./dispatch");
  send = await import("./send");
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  temp.db.$client.exec("delete from notification_rules; delete from notification_channels; delete from notification_events; delete from notification_deliveries;");
});
afterAll(() => temp.cleanup());

const FAST = { groupMs: 0, timeoutMs: 2000, minIntervalMs: 0, maxAttempts: 3, allowLocal: true, backoffMs: 50 };

function channel(type: string, url: string, name = type, signingKey = "") {
  const result = store.createChannel({ name, type, url, signingKey }, "admin@test");
  if (result.status !== "ok") throw new Error(JSON.stringify(result));
  return result.channel;
}

describe("channels", () => {
  it("sends each channel type its own payload, escaping what clusters wrote for its markup", async () => {
    const r = await receiver();
    const types = ["slack", "teams", "discord", "rocketchat"] as const;
    const channels = types.map((t) => channel(t, r.url));
    const rule = store.createRule({ name: "all", events: ["cluster.unreachable"], minSeverity: "info", channelIds: channels.map((c) => c.id) }, "admin@test");
    expect(rule.status).toBe("ok");
    temp.db.$client.prepare("insert into clusters (id, name, display_name, labels, server, auth_method, credentials, credentials_fingerprint, credentials_rotated_at, updated_at, created_by) values ('c1', 'edge-1', 'edge-1', '{}', 'https://x', 'token', 's', 's', 0, 0, 't')").run();
    const { healthChange, insertEvents } = await import("./emit");
    insertEvents(temp.db, [healthChange("c1", "cluster.unreachable", "dial tcp <b>&@everyone [x](http://evil)", new Date())]);
    expect(await dispatch.dispatchOnce(FAST)).toBe(4);
    expect(r.received).toHaveLength(4);
    const bodies = r.received.map((x) => JSON.parse(x.body) as Record<string, unknown>);
    const slack = bodies.find((b) => typeof b.text === "string" && (b.text as string).includes("&lt;b&gt;"));
    expect(slack?.text).toContain("&lt;b&gt;&amp;@everyone");
    expect(slack?.text).toContain("<https://fleetline.example.com/clusters/c1|Open in Fleetline>");
    const discord = bodies.find((b) => "content" in b)!;
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.content).toContain("\\@everyone \\[x\\]\\(http\\:");
    const teams = bodies.find((b) => b.type === "message")! as { attachments: { content: { body: { text: string }[]; actions: { url: string }[] } }[] };
    expect(teams.attachments[0]!.content.actions[0]!.url).toBe("https://fleetline.example.com/clusters/c1");
    expect(teams.attachments[0]!.content.body.map((b) => b.text).join("\n")).toContain("\\[x\\]");
    const rocket = bodies.find((b) => typeof b.text === "string" && (b.text as string).includes("[Open in Fleetline]("))!;
    expect(rocket.text).toContain("\\<b\\>");
    const log = store.listDeliveries();
    expect(log).toHaveLength(4);
    expect(log.every((d) => d.ok && d.statusCode === 200 && d.attempts === 1 && d.ruleName === "all")).toBe(true);
  });

  it("signs the generic webhook: HMAC-SHA256 of timestamp.body, verifiable with node:crypto alone", async () => {
    const r = await receiver();
    const key = "a-long-random-signing-key-0123456789";
    const c = channel("webhook", r.url, "generic", key);
    const result = await dispatch.sendTestMessage(c, "admin@test");
    expect(result.ok).toBe(true);
    const got = r.received[0]!;
    const timestamp = got.headers["x-fleetline-timestamp"] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    const expected = `sha256=${crypto.createHmac("sha256", key).update(`${timestamp}.${got.body}`).digest("hex")}`;
    expect(got.headers["x-fleetline-signature"]).toBe(expected);
    const wrong = `sha256=${crypto.createHmac("sha256", "another-key-0123456789").update(`${timestamp}.${got.body}`).digest("hex")}`;
    expect(got.headers["x-fleetline-signature"]).not.toBe(wrong);
    const body = JSON.parse(got.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(["count", "event", "items", "sentAt", "severity", "summary", "url"]);
    expect(body.event).toBe("test");
    expect(store.listDeliveries()[0]).toMatchObject({ ok: true, statusCode: 200, eventType: "test", ruleName: null });
  });

  it("never stores or lists the URL or the key in the clear", () => {
    const c = channel("webhook", "https://hooks.example.com/services/T000/B000/XXXXSECRET", "sealed", "signing-key-never-shown-0123");
    const row = temp.db.$client.prepare("select * from notification_channels where id = ?").get(c.id) as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain("XXXXSECRET");
    expect(JSON.stringify(row)).not.toContain("signing-key-never-shown");
    expect(row.host).toBe("hooks.example.com/…");
    expect(store.openChannel(c).url).toContain("XXXXSECRET");
  });

  it("refuses bad input by field and writes nothing", () => {
    const before = store.listChannels().length;
    const bad = store.createChannel({ name: "", type: "pager", url: "ftp://x", signingKey: "" }, "admin@test");
    expect(bad.status).toBe("invalid");
    expect(Object.keys(bad.status === "invalid" ? bad.fieldErrors : {}).sort()).toEqual(["name", "type", "url"]);
    const meta = store.createChannel({ name: "meta", type: "slack", url: "https://169.254.169.254/latest", signingKey: "" }, "admin@test");
    expect(meta.status === "invalid" && meta.fieldErrors.url).toMatch(/link-local/);
    const shortKey = store.createChannel({ name: "k", type: "webhook", url: "https://example.com/h", signingKey: "short" }, "admin@test");
    expect(shortKey.status === "invalid" && shortKey.fieldErrors.signingKey).toMatch(/16 to 256/);
    const rule = store.createRule({ name: "r", events: ["nope"], minSeverity: "loud", channelIds: ["missing"], selector: "env in (" }, "admin@test");
    expect(rule.status === "invalid" && Object.keys(rule.fieldErrors).sort()).toEqual(["events.0", "minSeverity", "selector"]);
    const noChannel = store.createRule({ name: "r", events: ["cluster.reachable"], minSeverity: "info", channelIds: ["missing"] }, "admin@test");
    expect(noChannel.status === "invalid" && noChannel.fieldErrors.channelIds).toMatch(/does not exist/);
    expect(store.listChannels().length).toBe(before);
    expect(store.listRules()).toHaveLength(0);
  });
});

describe("sending", () => {
  const payload = { body: "{}", headers: { "content-type": "application/json" } };

  it("waits what Retry-After asks after a 429, then delivers", async () => {
    const r = await receiver((n, res) => {
      if (n === 0) {
        res.writeHead(429, { "retry-after": "1" });
        res.end("slow down");
      } else res.end("ok");
    });
    const result = await send.send(r.url, payload, FAST);
    expect(result).toMatchObject({ ok: true, statusCode: 200, attempts: 2 });
    expect(r.received[1]!.at - r.received[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it("retries a 500 with backoff up to the attempt limit and reports the last answer", async () => {
    const r = await receiver((_n, res) => {
      res.writeHead(500);
      res.end("boom");
    });
    const result = await send.send(r.url, payload, FAST);
    expect(result).toMatchObject({ ok: false, statusCode: 500, attempts: 3 });
    expect(result.error).toContain("answered 500");
    expect(r.received).toHaveLength(3);
    // Backoff doubles: 50 ms, then 100 ms.
    expect(r.received[2]!.at - r.received[1]!.at).toBeGreaterThanOrEqual(90);
  });

  it("gives up on a receiver that never answers at the timeout instead of stalling", async () => {
    const r = await receiver(() => undefined);
    const started = Date.now();
    const result = await send.send(r.url, payload, { ...FAST, timeoutMs: 300, maxAttempts: 2 });
    const took = Date.now() - started;
    expect(result).toMatchObject({ ok: false, statusCode: null, attempts: 2 });
    expect(result.error).toContain("no answer within 300 ms");
    expect(took).toBeLessThan(3000);
  });

  it("does not follow a redirect, and re-checks the address after DNS: localhost and link-local are refused without local sources", async () => {
    const r = await receiver((_n, res) => {
      res.writeHead(302, { location: "http://169.254.169.254/" });
      res.end();
    });
    const redirected = await send.send(r.url, payload, FAST);
    expect(redirected).toMatchObject({ ok: false, statusCode: 302, attempts: 1 });
    expect(r.received).toHaveLength(1);
    const port = new URL(r.url).port;
    const viaDns = await send.send(`http://localhost:${port}/x`, payload, { ...FAST, allowLocal: false });
    expect(viaDns.ok).toBe(false);
    expect(viaDns.error).toMatch(/loopback or private address .*refused/);
    expect(r.received).toHaveLength(1);
    const metadata = await send.send("http://169.254.169.254/latest/meta-data", payload, FAST);
    expect(metadata.error).toMatch(/link-local/);
    expect(metadata.attempts).toBe(1);
  });
});

describe("grouping and dedupe", () => {
  it("turns 300 clusters flipping in one sweep into one message, and an unchanged state into none", async () => {
    const { seedStatus } = await import("@/test-support/status-seed");
    const { persistCluster, previousRows } = await import("@/lib/status/persist");
    const seeded = seedStatus(temp.db.$client, { clusters: 300, configurations: 1, historyPerPair: 0, rollouts: 0 });
    const configurationId = seeded.configurationIds[0]!;
    temp.db.$client.prepare("update configuration_status set state = 'Compliant', reason = null").run();
    const r = await receiver();
    const c = channel("webhook", r.url, "fleet", "fleet-signing-key-0123456789");
    expect(store.createRule({ name: "noncompliance", events: ["configuration.non-compliant", "configuration.compliant"], configurationId, minSeverity: "warning", channelIds: [c.id] }, "admin@test").status).toBe("ok");
    const flip = async (state: "Non-Compliant" | "Compliant", reason: string | null) => {
      for (const clusterId of seeded.clusterIds) {
        const previous = previousRows(clusterId);
        const row = { ...previous.get(configurationId)!, state, reason, observedAt: new Date() };
        await persistCluster(clusterId, [row], previous, undefined);
      }
    };
    await flip("Non-Compliant", "HealthCheckFailed");
    // The same state seen again (another sweep, another reason) is no new event.
    await flip("Non-Compliant", "still failing");
    const outbox = temp.db.$client.prepare("select count(*) as n from notification_events").get() as { n: number };
    expect(outbox.n).toBe(300);
    expect(await dispatch.dispatchOnce(FAST)).toBe(1);
    expect(r.received).toHaveLength(1);
    const body = JSON.parse(r.received[0]!.body) as { event: string; count: number; items: unknown[]; summary: string; url: string };
    expect(body).toMatchObject({ event: "configuration.non-compliant", count: 300 });
    // The body lists at most 100 items; count says how many there were.
    expect(body.items).toHaveLength(100);
    const name = (temp.db.$client.prepare("select name from configurations where id = ?").get(configurationId) as { name: string }).name;
    expect(body.summary).toBe(`${name} became Non-Compliant on 300 clusters`);
    expect(body.url).toBe(`https://fleetline.example.com/configurations/${configurationId}`);
    // Nothing left: a second pass sends nothing.
    expect(await dispatch.dispatchOnce(FAST)).toBe(0);
    expect(r.received).toHaveLength(1);
    // Compliant is "info", under the rule's lowest severity (warning): recorded, claimed, not sent.
    await flip("Compliant", null);
    expect(await dispatch.dispatchOnce(FAST)).toBe(0);
    expect(store.listDeliveries()).toHaveLength(1);
    expect(store.listDeliveries()[0]).toMatchObject({ eventCount: 300, ok: true, ruleName: "noncompliance" });
  });

  it("waits for the grouping window before claiming, and claims each event once", () => {
    temp.db.$client.prepare("insert into notification_events (type, dedupe_key, link, created_at) values ('cluster.reachable', 'cluster/x', '/clusters/x', ?)").run(Date.now());
    expect(dispatch.claimEvents(60_000)).toHaveLength(0);
    const first = dispatch.claimEvents(0);
    expect(first).toHaveLength(1);
    expect(dispatch.claimEvents(0)).toHaveLength(0);
  });

  it("gives a claim left by a dispatcher that died back to pending after 15 minutes, not before", () => {
    temp.db.$client.prepare("insert into notification_events (type, dedupe_key, link, created_at) values ('cluster.reachable', 'cluster/y', '/clusters/y', ?)").run(Date.now());
    const claimed = dispatch.claimEvents(0);
    expect(claimed).toHaveLength(1);
    expect(dispatch.releaseStaleClaims(Date.now() + 14 * 60_000)).toBe(0);
    expect(dispatch.releaseStaleClaims(Date.now() + 16 * 60_000)).toBe(1);
    expect(dispatch.claimEvents(0).map((e) => e.id)).toEqual(claimed.map((e) => e.id));
  });
});
