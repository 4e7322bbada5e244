import nextCoreWebVitals from "eslint-config-next/core-web-vitals";
import nextTypescript from "eslint-config-next/typescript";
import fleetline from "./eslint/server-only-in-client.mjs";

// Layers, kept by lint (docs/architecture.md). typescript-eslint's own `no-restricted-imports`
// (already loaded by eslint-config-next, no new dependency) rather than eslint-plugin-boundaries:
// the layers are four folder rules over one alias, and its `allowTypeImports` lets a component
// name a server type (types are erased; only values reach a bundle).
const DB_VALUES = { regex: "^@/db(?!/enums$)(/.*)?$", allowTypeImports: true, message: "Pages and components read the database through lib/queries/*; only @/db/enums (vocabularies, no drizzle) may be imported as values here." };
const K8S = { group: ["@/lib/k8s", "@/lib/k8s/*"], allowTypeImports: true, message: "Pages and components never talk to a cluster: read what the background loop stored through lib/queries/*." };
const APP_ROUTES = { group: ["@/app/*", "@/app/**"], allowTypeImports: true, message: "Shared code does not import from app/ routes: pass server actions and data down as props." };
const NEXT_LINK = { name: "next/link", message: "Use @/components/ui/link: it does not prefetch (every page here is dynamic, so a prefetch is a whole server render)." };
// Its KubeConfig module imports every generated API: 68 MiB resident in each process that loads it.
// The test harness (test-support/) drives clusters with it; the portal speaks to them in lib/k8s.
const CLIENT_NODE = { name: "@kubernetes/client-node", allowTypeImports: true, message: "The portal does not load @kubernetes/client-node at run time (68 MiB a process for its generated API): use lib/k8s's client." };
const COMPONENTS = { group: ["@/components/*", "@/components/**"], allowTypeImports: false, message: "lib/ does not import from components/: move the shared piece into lib/." };

const config = [
  ...nextCoreWebVitals,
  ...nextTypescript,
  {
    ignores: [".next/**", "node_modules/**", "data/**", "test-results/**", "playwright-report/**", "next-env.d.ts", "db/migrations/**"],
  },
  {
    files: ["components/**/*.{ts,tsx}"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [NEXT_LINK, CLIENT_NODE], patterns: [DB_VALUES, K8S, APP_ROUTES] }] },
  },
  {
    files: ["app/**/*.tsx"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [NEXT_LINK, CLIENT_NODE], patterns: [DB_VALUES, K8S] }] },
  },
  {
    files: ["lib/**/*.{ts,tsx}"],
    rules: { "@typescript-eslint/no-restricted-imports": ["error", { paths: [CLIENT_NODE], patterns: [{ ...APP_ROUTES, allowTypeImports: false, message: "lib/ does not import from app/: move the shared piece into lib/." }, COMPONENTS] }] },
  },
  {
    files: ["**/*.tsx", "**/*.ts"],
    plugins: { fleetline },
    rules: { "fleetline/server-only-in-client": "error" },
  },
  // Typed linting for the one rule that needs types: an unawaited promise loses its error.
  {
    files: ["**/*.ts", "**/*.tsx"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { "@typescript-eslint/no-floating-promises": "error" },
  },
];

export default config;
