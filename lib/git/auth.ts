import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { RenderCredential } from "@/lib/reconcilers/flux/render";
import { SSH_BASE_COMMAND } from "./exec";

/** What a git command needs to authenticate, in the form credentials are stored (decrypted by the caller). */
export type GitAuth = RenderCredential | undefined;

/** Environment, config and values to scrub for one authenticated command. */
export type AuthContext = { env: Record<string, string>; config: Record<string, string>; secrets: string[] };

function basic(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

function shellQuote(file: string): string {
  // Our own mkdtemp paths; anything that would need escaping is a bug, not an input.
  if (!/^[A-Za-z0-9/._-]+$/.test(file)) throw new Error("unexpected characters in a temporary file path");
  return `'${file}'`;
}

function writePrivate(dir: string, name: string, content: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content, { mode: 0o600 });
  return file;
}

/**
 * Runs `fn` with the credential available to git only through the environment: an
 * Authorization header as `http.extraHeader` (GIT_CONFIG_* variables), or an SSH key and
 * known_hosts in private temporary files that are removed afterwards. Never in the URL or argv.
 */
export async function withGitAuth<T>(auth: GitAuth, fn: (context: AuthContext) => Promise<T>): Promise<T> {
  if (!auth) return fn({ env: {}, config: {}, secrets: [] });
  const caCert = auth.type === "ca" || auth.type === "https" ? auth.caCert : undefined;
  const needsFiles = auth.type === "ssh" || caCert !== undefined;
  const dir = needsFiles ? fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-git-auth-")) : undefined;
  try {
    const context: AuthContext = { env: {}, config: {}, secrets: [] };
    if (auth.type === "https") {
      const header = basic(auth.username, auth.password);
      context.config["http.extraHeader"] = `Authorization: ${header}`;
      context.secrets.push(auth.password, header, header.slice("Basic ".length));
    }
    if (auth.type === "bearer") {
      context.config["http.extraHeader"] = `Authorization: Bearer ${auth.token}`;
      context.secrets.push(auth.token);
    }
    if (dir && caCert !== undefined) context.config["http.sslCAInfo"] = writePrivate(dir, "ca.crt", caCert);
    if (dir && auth.type === "ssh") {
      const key = writePrivate(dir, "identity", auth.identity.endsWith("\n") ? auth.identity : `${auth.identity}\n`);
      const knownHosts = writePrivate(dir, "known_hosts", auth.knownHosts);
      context.env.GIT_SSH_COMMAND = [
        `${SSH_BASE_COMMAND} -o IdentitiesOnly=yes -o IdentityAgent=none -o StrictHostKeyChecking=yes`,
        `-o UserKnownHostsFile=${shellQuote(knownHosts)} -i ${shellQuote(key)}`,
      ].join(" ");
      context.secrets.push(auth.identity);
    }
    return await fn(context);
  } finally {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }
}
