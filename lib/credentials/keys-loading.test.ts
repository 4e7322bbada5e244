import path from "node:path";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");

/** How the server's boot graph (the observation loop and everything it imports) reaches each package. */
async function importsOfBoot(): Promise<Map<string, Set<string>>> {
  const result = await build({
    entryPoints: [path.join(root, "lib/server/boot.ts")],
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "esm",
    packages: "external",
    conditions: ["react-server"],
    logLevel: "silent",
    outdir: path.join(root, "node_modules/.cache/keys-loading-test"),
  });
  const kinds = new Map<string, Set<string>>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const { path: imported, kind } of output.imports) {
      if (!kinds.has(imported)) kinds.set(imported, new Set());
      kinds.get(imported)!.add(kind);
    }
  }
  return kinds;
}

// OpenPGP.js and age cost about 23 MiB resident once loaded (measured in a bare node process), and
// only the credential forms need them: every server process runs the loop, none of which does.
describe("the key libraries", () => {
  it("are loaded on first use, not with the server's background loop", { timeout: 60_000 }, async () => {
    const imports = await importsOfBoot();
    // The graph was read: the database driver is imported as it loads.
    expect(imports.get("better-sqlite3")).toContain("import-statement");
    for (const name of ["openpgp", "age-encryption"]) {
      expect([...(imports.get(name) ?? [])], name).not.toContain("import-statement");
    }
  });
});
