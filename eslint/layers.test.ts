import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ESLint } from "eslint";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The project's real eslint.config.mjs over small fixture files, each breaking one layer rule
// (and one control that breaks none). The fixtures live in a throwaway folder laid out like the
// repository (app/, components/, lib/, db/) with its own tsconfig, so the rules' globs and the
// typed linting apply exactly as they do to the real tree.

const repo = path.resolve(__dirname, "..");
let dir: string;
let eslint: ESLint;

const FILES: Record<string, string> = {
  "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, jsx: "react-jsx", module: "esnext", moduleResolution: "bundler", target: "ES2022", skipLibCheck: true, noEmit: true, types: [], paths: { "@/*": ["./*"] } }, include: ["**/*.ts", "**/*.tsx"] }),
  "db/index.ts": "export const getDb = () => ({ rows: [1] });\nexport type Db = ReturnType<typeof getDb>;\n",
  "db/schema.ts": 'export const ROLES = ["admin"] as const;\n',
  "db/enums.ts": 'export const ROLES = ["admin"] as const;\n',
  "lib/k8s/client.ts": "export const listPods = () => [];\n",
  "lib/secret.ts": 'import "server-only";\nexport const secret = () => "s";\n',
  "lib/shared.ts": "export const shared = 1;\n",
  "lib/work.ts": "export async function work(): Promise<number> {\n  return 1;\n}\n",
  "app/things/actions.ts": '"use server";\nexport async function act(): Promise<void> {}\nexport type ActResult = { ok: boolean };\n',
  "components/helper.ts": "export const helper = 1;\n",
};

const FIXTURES = {
  pageImportsDb: ["app/things/page.tsx", 'import { getDb } from "@/db";\nexport default function Page() {\n  return <p>{getDb().rows.length}</p>;\n}\n'],
  pageImportsSchemaValue: ["app/things/roles.tsx", 'import { ROLES } from "@/db/schema";\nexport function Roles() {\n  return <p>{ROLES.join()}</p>;\n}\n'],
  componentImportsK8s: ["components/pods.tsx", 'import { listPods } from "@/lib/k8s/client";\nexport function Pods() {\n  return <p>{listPods().length}</p>;\n}\n'],
  componentImportsAppRoute: ["components/button.tsx", 'import { act } from "@/app/things/actions";\nexport function Button() {\n  return <form action={act} />;\n}\n'],
  libImportsApp: ["lib/uses-app.ts", 'import { act } from "@/app/things/actions";\nexport const run = act;\n'],
  libImportsComponents: ["lib/uses-components.ts", 'import { helper } from "@/components/helper";\nexport const h = helper;\n'],
  clientImportsServerOnly: ["components/client-form.tsx", '"use client";\nimport { secret } from "@/lib/secret";\nexport function Form() {\n  return <p>{secret()}</p>;\n}\n'],
  floatingPromise: ["lib/caller.ts", 'import { work } from "./work";\nexport function caller(): void {\n  work();\n}\n'],
  // Allowed: vocabularies from db/enums, types from db and app routes, lib from components, awaited promises.
  allowed: [
    "components/ok.tsx",
    '"use client";\nimport { ROLES } from "@/db/enums";\nimport type { Db } from "@/db";\nimport type { ActResult } from "@/app/things/actions";\nimport { shared } from "@/lib/shared";\nimport { work } from "@/lib/work";\nexport async function ok(r: ActResult, d: Db): Promise<string> {\n  await work();\n  return `${ROLES.join()}${shared}${String(r.ok)}${d.rows.length}`;\n}\n',
  ],
} as const;

async function errorsOf(name: keyof typeof FIXTURES): Promise<string[]> {
  const [file] = FIXTURES[name];
  const [result] = await eslint.lintFiles([path.join(dir, file)]);
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "fleetline-lint-"));
  for (const [file, text] of [...Object.entries(FILES), ...Object.values(FIXTURES)]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  // The fixtures resolve react and server-only like the real tree does.
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
  eslint = new ESLint({ cwd: dir, overrideConfigFile: path.join(repo, "eslint.config.mjs") });
});

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("layer rules in eslint.config.mjs", { timeout: 120_000 }, () => {
  it("refuses a page importing the database", async () => {
    expect(await errorsOf("pageImportsDb")).toEqual([expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: '@\/db' .*lib\/queries/)]);
  });
  it("refuses a page importing a vocabulary from a table file (drizzle in the bundle)", async () => {
    expect(await errorsOf("pageImportsSchemaValue")).toEqual([expect.stringMatching(/no-restricted-imports: '@\/db\/schema'.*@\/db\/enums/)]);
  });
  it("refuses a component importing the Kubernetes client", async () => {
    expect(await errorsOf("componentImportsK8s")).toEqual([expect.stringMatching(/no-restricted-imports: '@\/lib\/k8s\/client'.*never talk to a cluster/)]);
  });
  it("refuses a shared component importing from an app route", async () => {
    expect(await errorsOf("componentImportsAppRoute")).toEqual([expect.stringMatching(/no-restricted-imports: '@\/app\/things\/actions'.*props/)]);
  });
  it("refuses lib importing from app or components", async () => {
    expect(await errorsOf("libImportsApp")).toEqual([expect.stringMatching(/no-restricted-imports: '@\/app\/things\/actions'.*lib\/ does not import from app/)]);
    expect(await errorsOf("libImportsComponents")).toEqual([expect.stringMatching(/no-restricted-imports: '@\/components\/helper'.*lib\/ does not import from components/)]);
  });
  it('refuses a "use client" file importing a server-only module', async () => {
    expect(await errorsOf("clientImportsServerOnly")).toEqual([expect.stringMatching(/^fleetline\/server-only-in-client: .*"@\/lib\/secret".*server-only/)]);
  });
  it("refuses an unawaited promise", async () => {
    expect(await errorsOf("floatingPromise")).toEqual([expect.stringMatching(/^@typescript-eslint\/no-floating-promises: /)]);
  });
  it("allows vocabularies, type imports, lib imports and awaited promises", async () => {
    expect(await errorsOf("allowed")).toEqual([]);
  });
});
