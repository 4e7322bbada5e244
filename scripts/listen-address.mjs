// Where `npm start` listens. FLEETLINE_HOST and PORT say so; nothing else does. HOSTNAME is not a
// bind address: login shells (RHEL's /etc/profile), Docker and Kubernetes export it as the
// machine's own name, which resolves to its network address (or to nothing), so honouring it
// put a plain-HTTP portal on the network, or stopped it from starting, where no one asked for
// either. An address literal in HOSTNAME (HOSTNAME=0.0.0.0, as older instructions said) is
// still read, with a warning.
import net from "node:net";

/** @returns {{ host: string, port: number, warnings: string[] } | { error: string }} */
export function listenAddress(env) {
  const warnings = [];
  let host = "127.0.0.1";
  const configured = (env.FLEETLINE_HOST ?? "").trim();
  const legacy = (env.HOSTNAME ?? "").trim();
  if (configured) {
    if (!net.isIP(configured) && configured !== "localhost") return { error: `FLEETLINE_HOST must be an IP address (127.0.0.1, 0.0.0.0, ::), got "${configured}"` };
    host = configured;
  } else if (legacy && net.isIP(legacy)) {
    host = legacy;
    warnings.push(`listening on HOSTNAME=${legacy}: set FLEETLINE_HOST instead (HOSTNAME is the machine's name in most environments and is otherwise ignored)`);
  }
  const portText = (env.PORT ?? "").trim() || "3000";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) return { error: `PORT must be a TCP port from 1 to 65535, got "${portText}"` };
  return { host, port, warnings };
}
