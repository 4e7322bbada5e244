// The production server: Next's request handler behind Node's own HTTP server, so the portal
// learns the TCP peer's address (Next's route handlers only see headers, and X-Forwarded-For is
// whatever the client wrote). Each request gets `x-fleetline-peer: <token> <address>`, where the
// token is random per process and shared with lib/auth/request.ts through a global: a client
// cannot forge it.
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { listenAddress } from "./listen-address.mjs";

process.env.NODE_ENV ??= "production";
const { default: next } = await import("next");

const token = crypto.randomBytes(24).toString("base64url");
globalThis[Symbol.for("fleetline.peer-token")] = token;

// Loopback unless FLEETLINE_HOST says otherwise: the portal speaks plain HTTP and belongs behind a
// TLS proxy. Not HOSTNAME, which environments export as the machine's name (scripts/listen-address.mjs).
const address = listenAddress(process.env);
if ("error" in address) {
  console.error(`fleetline: ${address.error}`);
  process.exit(1);
}
for (const warning of address.warnings) console.warn(`WARNING: ${warning}`);
const { host: hostname, port } = address;
const dir = path.resolve(new URL("..", import.meta.url).pathname);

const publicUrl = process.env.NEXTAUTH_URL || `http://localhost:${port}`;
if (!publicUrl.startsWith("https://") && !/^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:|\/|$)/.test(publicUrl)) {
  console.warn(
    `WARNING: NEXTAUTH_URL is ${publicUrl}: sessions and passwords cross the network in clear text and cookies are not Secure. Serve Fleetline behind TLS and set NEXTAUTH_URL to its https:// address.`,
  );
}

if (!/^(127\.|::1$|localhost$)/.test(hostname) && !publicUrl.startsWith("https://")) {
  console.warn(`WARNING: listening on ${hostname} over plain HTTP: anyone on that network can read sessions and passwords. Put a TLS proxy in front and set NEXTAUTH_URL to its https:// address.`);
}

// The configuration the build used (body limits, authInterrupts, output: "standalone"), as the
// build wrote it, rather than next.config.ts read again: the container image runs Next's
// standalone output, which has no next.config.ts, and Next takes this variable as the mark of a
// standalone server (without it, it warns that "next start" does not suit standalone output).
const builtConfig = path.join(dir, ".next", "required-server-files.json");
if (fs.existsSync(builtConfig)) {
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(JSON.parse(fs.readFileSync(builtConfig, "utf8")).config);
}

const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  req.headers["x-fleetline-peer"] = `${token} ${req.socket.remoteAddress ?? ""}`;
  void handle(req, res);
});
server.listen(port, hostname, () => console.log(`fleetline listening on http://${hostname}:${port}`));
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
