import https from "node:https";
import { describe, expect, it } from "vitest";
import { ClusterError } from "./errors";
import { createGuardedLookup } from "./guarded-lookup";
import { requestJson, toClusterError, type Connection } from "./http";

const agent = new https.Agent({ rejectUnauthorized: true });
const connection = (hostname: string, lookup = createGuardedLookup()): Connection => ({
  hostname,
  port: 6443,
  basePath: "",
  agents: { requests: () => agent, watches: () => agent, destroy: () => agent.destroy() },
  headers: {},
  lookup,
});

describe("requestJson", () => {
  it("resolves host names through the connection's guarded lookup and refuses link-local answers", async () => {
    // Stands in for a DNS name (or a rebinding attack) that points at the metadata service.
    const metadataDns = createGuardedLookup((_host, _options, callback) => callback(null, [{ address: "169.254.169.254", family: 4 }]));
    const error = await requestJson(connection("cluster.example.com", metadataDns), { method: "GET", path: "/version" }, 2000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClusterError);
    expect(error).toMatchObject({ kind: "dns", message: "DNS lookup refused: cluster.example.com resolves to a link-local address" });
  });
});

describe("toClusterError", () => {
  const errno = (code: string) => Object.assign(new Error(`connect ${code} with details`), { code });
  const target = connection("10.1.2.3");

  it.each([
    ["ECONNREFUSED", "refused", "connection refused by 10.1.2.3:6443"],
    ["ENOTFOUND", "dns", "DNS lookup failed for 10.1.2.3"],
    ["EAI_AGAIN", "dns", "DNS lookup failed for 10.1.2.3"],
    ["SELF_SIGNED_CERT_IN_CHAIN", "tls", "TLS certificate not trusted (SELF_SIGNED_CERT_IN_CHAIN)"],
    ["UNABLE_TO_VERIFY_LEAF_SIGNATURE", "tls", "TLS certificate not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE)"],
    ["DEPTH_ZERO_SELF_SIGNED_CERT", "tls", "TLS certificate not trusted (DEPTH_ZERO_SELF_SIGNED_CERT)"],
    ["ERR_TLS_CERT_ALTNAME_INVALID", "tls", "TLS certificate does not match the server name"],
    ["CERT_HAS_EXPIRED", "tls", "TLS certificate has expired"],
    ["EPROTO", "tls", "TLS handshake failed (EPROTO)"],
    ["ERR_SSL_WRONG_VERSION_NUMBER", "tls", "TLS handshake failed (ERR_SSL_WRONG_VERSION_NUMBER)"],
    ["ECONNRESET", "network", "connection to 10.1.2.3:6443 was reset"],
    // HTTP/2: the session under a stream was lost, or it was refused by a closing one.
    ["ERR_STREAM_PREMATURE_CLOSE", "network", "connection to 10.1.2.3:6443 was reset"],
    ["ERR_HTTP2_STREAM_ERROR", "network", "connection to 10.1.2.3:6443 was reset"],
    ["ERR_HTTP2_GOAWAY_SESSION", "network", "connection to 10.1.2.3:6443 was reset"],
    ["EFLEETLINE_CLOSED", "network", "the client of this cluster was closed (its credentials changed or it was removed)"],
    ["EHOSTUNREACH", "network", "10.1.2.3:6443 is unreachable"],
    ["ETIMEDOUT", "timeout", "connecting to 10.1.2.3:6443 timed out"],
    ["EWHATEVER", "network", "network error (EWHATEVER)"],
  ])("%s -> %s", (code, kind, message) => {
    expect(toClusterError(errno(code), false, 5000, target)).toMatchObject({ kind, message });
  });

  it("reports our own deadline as a timeout, whatever the socket said", () => {
    expect(toClusterError(errno("ABORT_ERR"), true, 5000, target)).toMatchObject({ kind: "timeout", message: "timed out after 5s" });
  });

  it("keeps ClusterErrors and never reuses foreign messages", () => {
    const original = new ClusterError("forbidden", "403 Forbidden");
    expect(toClusterError(original, false, 5000, target)).toBe(original);
    expect(toClusterError(new Error("https://user:secret@host"), false, 5000, target).message).not.toContain("secret");
  });
});
