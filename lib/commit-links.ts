// Pure: a link to a commit on the hosts whose URL layout is known; null elsewhere (never a guess).
import { safeHref } from "./url";

const HOSTS: Record<string, (path: string, sha: string) => string> = {
  "github.com": (p, sha) => `https://github.com/${p}/commit/${sha}`,
  "gitlab.com": (p, sha) => `https://gitlab.com/${p}/-/commit/${sha}`,
  "bitbucket.org": (p, sha) => `https://bitbucket.org/${p}/commits/${sha}`,
  "dev.azure.com": (p, sha) => `https://dev.azure.com/${p}/commit/${sha}`,
};

export function commitUrl(repoUrl: string | null | undefined, sha: string | null | undefined): string | null {
  if (!repoUrl || !sha || !/^[0-9a-f]{7,64}$/.test(sha)) return null;
  let url: URL;
  try {
    url = new URL(repoUrl.replace(/^ssh:\/\/git@/, "https://"));
  } catch {
    return null;
  }
  const make = HOSTS[url.hostname.toLowerCase()];
  if (!make) return null;
  const path = url.pathname.replace(/^\/+/, "").replace(/\.git$/, "").replace(/\/+$/, "");
  if (!/^[\w.-]+(\/[\w.-]+)+$/.test(path)) return null;
  return safeHref(make(path, sha));
}

/** The commit sha inside a Flux revision ("main@sha1:<sha>"). */
export function shaOf(revision: string | null | undefined): string | null {
  return /(?:sha1:)?([0-9a-f]{40})$/.exec(revision ?? "")?.[1] ?? null;
}

/** "main@sha1:1a2b3c4d…" → "main@1a2b3c4"; other revision formats are shortened the same way. */
export function shortRevision(revision: string): string {
  const match = /^(.*?)@?(?:sha1|sha256):([0-9a-f]{7,})$/.exec(revision);
  if (!match) return revision.length > 40 ? `${revision.slice(0, 37)}…` : revision;
  const [, ref, hash] = match;
  return ref ? `${ref}@${hash!.slice(0, 7)}` : hash!.slice(0, 12);
}
