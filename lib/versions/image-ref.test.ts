import { describe, expect, it } from "vitest";
import { imageName, MAX_IMAGE_TEXT, parseImageRef, versionKey, versionLabel } from "./image-ref";

const DIGEST = `sha256:${"ab".repeat(32)}`;

describe("parseImageRef", () => {
  it.each([
    ["nginx", "docker.io", "library/nginx", "latest", null],
    ["nginx:1.27", "docker.io", "library/nginx", "1.27", null],
    ["stefanprodan/podinfo:6.5.0", "docker.io", "stefanprodan/podinfo", "6.5.0", null],
    ["ghcr.io/stefanprodan/podinfo:6.6.0", "ghcr.io", "stefanprodan/podinfo", "6.6.0", null],
    ["index.docker.io/library/redis:7", "docker.io", "library/redis", "7", null],
    ["docker.io/redis", "docker.io", "library/redis", "latest", null],
    ["localhost/app:dev", "localhost", "app", "dev", null],
    ["localhost:5000/team/app:1.0.0", "localhost:5000", "team/app", "1.0.0", null],
    ["registry.example.com:8443/a/b/c:v2", "registry.example.com:8443", "a/b/c", "v2", null],
    [`quay.io/argoproj/argocd@${DIGEST}`, "quay.io", "argoproj/argocd", null, DIGEST],
    [`nginx:1.27@${DIGEST}`, "docker.io", "library/nginx", "1.27", DIGEST],
    ["[::1]:5000/app:1", "[::1]:5000", "app", "1", null],
  ])("%s", (text, registry, repository, tag, digest) => {
    const ref = parseImageRef(text);
    expect(ref).toEqual({ registry, repository, tag, digest, isValid: true });
  });

  it("does not take a port-looking tag for a registry", () => {
    // "team" has no dot or colon: it is a Docker Hub namespace; the colon after the last slash is the tag.
    expect(parseImageRef("team/app:5000")).toMatchObject({ registry: "docker.io", repository: "team/app", tag: "5000" });
  });

  it("flags what does not follow the grammar, without throwing", () => {
    expect(parseImageRef("UPPER/Case:tag").isValid).toBe(false);
    expect(parseImageRef("app:bad tag").isValid).toBe(false);
    expect(parseImageRef("app@sha256:short").isValid).toBe(false);
    expect(parseImageRef("")).toEqual({ registry: "", repository: "", tag: null, digest: null, isValid: false });
    expect(parseImageRef(undefined).isValid).toBe(false);
    expect(parseImageRef({ image: "x" }).isValid).toBe(false);
  });

  it("cuts a hostile 10 KiB reference to the stored lengths", () => {
    const huge = `registry.example.com/${"a".repeat(10 * 1024)}:${"t".repeat(5000)}`;
    const ref = parseImageRef(huge);
    expect(ref.isValid).toBe(false);
    expect(ref.repository.length).toBeLessThanOrEqual(255);
    expect(ref.tag!.length).toBeLessThanOrEqual(128);
    expect(huge.length).toBeGreaterThan(MAX_IMAGE_TEXT);
  });
});

describe("names and labels", () => {
  it("names an image by registry and repository", () => {
    expect(imageName(parseImageRef("podinfo:1"))).toBe("docker.io/library/podinfo");
    expect(imageName(parseImageRef("ghcr.io/x/y:1"))).toBe("ghcr.io/x/y");
  });
  it("shows the tag, else a short digest; orders by tag, else digest", () => {
    expect(versionLabel({ tag: "6.5.0", digest: DIGEST })).toBe("6.5.0");
    expect(versionLabel({ tag: null, digest: DIGEST })).toBe("sha256:abababababab");
    expect(versionKey({ tag: null, digest: DIGEST })).toBe(DIGEST);
    expect(versionKey({ tag: "1", digest: DIGEST })).toBe("1");
  });
});
