// ESLint rule: a "use client" file imports nothing server-only. A client module is bundled for the
// browser; a module that starts with `import "server-only"` (the database, sessions, sealed
// credentials) must never be in that bundle. No published rule reads the directive on one side
// and the server-only marker on the other, so this one does both, one import deep (the import's
// own file): `next build` catches deeper chains, this catches the common case while typing.
import fs from "node:fs";
import path from "node:path";

const EXTENSIONS = [".ts", ".tsx", "/index.ts", "/index.tsx", ""];
const SERVER_ONLY = /^\s*import\s+["']server-only["'];?\s*$/m;
const cache = new Map();

function isServerOnlyFile(file) {
  if (!cache.has(file)) {
    let text = "";
    try {
      text = fs.readFileSync(file, "utf8").slice(0, 4000);
    } catch {
      // unreadable: not ours to judge
    }
    cache.set(file, SERVER_ONLY.test(text));
  }
  return cache.get(file);
}

/** The file an `@/…` or relative specifier names, or null (packages are judged by name only). */
function resolve(specifier, fromFile, root) {
  let base;
  if (specifier.startsWith("@/")) base = path.join(root, specifier.slice(2));
  else if (specifier.startsWith(".")) base = path.resolve(path.dirname(fromFile), specifier);
  else return null;
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const isTypeOnly = (node) =>
  node.importKind === "type" || node.exportKind === "type" || (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === "type" || s.exportKind === "type"));

export const serverOnlyInClient = {
  meta: {
    type: "problem",
    docs: { description: 'A "use client" file imports nothing server-only.' },
    schema: [],
    messages: {
      serverOnly: 'A "use client" file may not import "{{source}}": it is server-only (it would put server code in the browser bundle). Pass the data or a server action down as props instead.',
    },
  },
  create(context) {
    const sourceCode = context.sourceCode;
    const body = sourceCode.ast.body;
    const isClient = body.some((node) => node.type === "ExpressionStatement" && node.directive === "use client");
    if (!isClient) return {};
    const root = context.cwd;
    const check = (node) => {
      if (!node.source || isTypeOnly(node)) return;
      const source = String(node.source.value);
      const file = source === "server-only" ? null : resolve(source, context.filename, root);
      if (source === "server-only" || (file && isServerOnlyFile(file))) context.report({ node, messageId: "serverOnly", data: { source } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check };
  },
};

const plugin = { meta: { name: "fleetline" }, rules: { "server-only-in-client": serverOnlyInClient } };
export default plugin;
