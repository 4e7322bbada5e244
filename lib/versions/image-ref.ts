/**
 * Pure: a container image reference split as Docker and containerd read it (the rules of
 * distribution/reference's normalisation): the first path component is a registry host only
 * when it has a dot or a colon (a port) or is `localhost`; otherwise the image is on Docker Hub
 * (`docker.io`), where a single-name image lives under `library/`. `@sha256:…` is a digest; a
 * tag follows the last colon after the last slash; no tag and no digest means `latest`.
 * Never throws: anything a cluster sends gives some answer, cut to the stored lengths.
 */

export type ImageRef = {
  registry: string;
  repository: string;
  tag: string | null;
  digest: string | null;
  /** False when the text does not follow the reference grammar (kept as sent, cut). */
  isValid: boolean;
};

export const DEFAULT_REGISTRY = "docker.io";
/** Stored lengths: a reference may be at most 255 characters of name plus tag and digest; anything longer is cut. */
export const MAX_IMAGE_TEXT = 512;
const MAX_PART = 255;

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?$|^\[[0-9a-fA-F:]+\](?::[0-9]+)?$/;

const cut = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

function isRegistryHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost" || component !== component.toLowerCase();
}

export function parseImageRef(input: unknown): ImageRef {
  const text = typeof input === "string" ? input.trim() : "";
  if (text === "") return { registry: "", repository: "", tag: null, digest: null, isValid: false };
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(":");
  if (colon > rest.lastIndexOf("/")) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const slash = rest.indexOf("/");
  let registry = DEFAULT_REGISTRY;
  let repository = rest;
  if (slash >= 0 && isRegistryHost(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    repository = rest.slice(slash + 1);
  }
  if (registry === "index.docker.io") registry = DEFAULT_REGISTRY;
  if (registry === DEFAULT_REGISTRY && repository !== "" && !repository.includes("/")) repository = `library/${repository}`;
  if (tag === null && digest === null) tag = "latest";
  const isValid =
    repository !== "" &&
    repository.split("/").every((c) => COMPONENT.test(c)) &&
    (registry === DEFAULT_REGISTRY || HOST.test(registry)) &&
    (tag === null || TAG.test(tag)) &&
    (digest === null || DIGEST.test(digest)) &&
    text.length <= MAX_IMAGE_TEXT;
  return {
    registry: cut(registry, MAX_PART),
    repository: cut(repository, MAX_PART),
    tag: tag === null ? null : cut(tag, 128),
    digest: digest === null ? null : cut(digest, 160),
    isValid,
  };
}

/** `registry/repository`, the key images are compared by across the fleet. */
export function imageName(ref: Pick<ImageRef, "registry" | "repository">): string {
  return ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
}

/** What a cell shows: the tag, else the short digest. */
export function versionLabel(ref: Pick<ImageRef, "tag" | "digest">): string {
  if (ref.tag) return ref.tag;
  if (ref.digest) return ref.digest.replace(/^(sha256:)?([0-9a-f]{12}).*$/, "$1$2");
  return "";
}

/** The version an image is ordered and first-seen by: its tag, or its digest when it has no tag. */
export function versionKey(ref: Pick<ImageRef, "tag" | "digest">): string {
  return ref.tag ?? ref.digest ?? "";
}

/** The same image by registry, repository and tag (and digest, where both name one): `podinfo:6.5.0` is `docker.io/library/podinfo:6.5.0`. */
export function sameImage(a: string, b: string): boolean {
  const x = parseImageRef(a);
  const y = parseImageRef(b);
  return x.registry === y.registry && x.repository === y.repository && x.tag === y.tag && (x.digest === null || y.digest === null || x.digest === y.digest);
}
