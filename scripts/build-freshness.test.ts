import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
// @ts-expect-error plain ESM script without types, run by `npm start` as is
import { buildNeeded } from "./build-freshness.mjs";

type Verdict = { needed: boolean; reason: string };
const check = buildNeeded as (root: string, env?: Record<string, string>) => Verdict;

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-freshness-"));
  roots.push(root);
  fs.mkdirSync(path.join(root, "app"), { recursive: true });
  fs.mkdirSync(path.join(root, "lib"), { recursive: true });
  fs.writeFileSync(path.join(root, "app", "page.tsx"), "export default 1;\n");
  fs.writeFileSync(path.join(root, "package.json"), "{}\n");
  return root;
}

/** Sets a file's modification time `seconds` from now. */
function touch(file: string, seconds: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, "x\n");
  const at = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, at, at);
}

describe("npm start builds only when it must", () => {
  it("builds when there is no build yet", () => {
    expect(check(project(), {})).toEqual({ needed: true, reason: "no production build yet" });
  });

  it("starts without building when nothing changed since the last build", () => {
    const root = project();
    touch(path.join(root, "app", "page.tsx"), -60);
    touch(path.join(root, "package.json"), -60);
    touch(path.join(root, ".next", "BUILD_ID"), 0);
    expect(check(root, {}).needed).toBe(false);
  });

  it("builds when a source changed after the build, and says which", () => {
    const root = project();
    touch(path.join(root, ".next", "BUILD_ID"), -60);
    touch(path.join(root, "app", "page.tsx"), -120);
    touch(path.join(root, "package.json"), -120);
    touch(path.join(root, "lib", "deep", "thing.ts"), 0);
    expect(check(root, {})).toEqual({ needed: true, reason: `${path.join("lib", "deep", "thing.ts")} changed since the last build` });
  });

  it("ignores tests, and honours FLEETLINE_SKIP_BUILD and FLEETLINE_FORCE_BUILD", () => {
    const root = project();
    touch(path.join(root, ".next", "BUILD_ID"), -60);
    touch(path.join(root, "app", "page.tsx"), -120);
    touch(path.join(root, "package.json"), -120);
    touch(path.join(root, "lib", "thing.test.ts"), 0);
    expect(check(root, {}).needed).toBe(false);
    touch(path.join(root, "app", "page.tsx"), 0);
    expect(check(root, { FLEETLINE_SKIP_BUILD: "1" }).needed).toBe(false);
    touch(path.join(root, "app", "page.tsx"), -120);
    expect(check(root, { FLEETLINE_FORCE_BUILD: "1" }).needed).toBe(true);
  });
});
