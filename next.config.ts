import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The container image (Dockerfile) ships Next's standalone output: the server with the
  // node_modules it traces, not the whole install. scripts/image-root.mjs picks what runs.
  output: "standalone",
  // The build checks the app only; `npm run typecheck` covers tests and the harness too.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // Native and Node-only modules stay out of the server bundle.
  serverExternalPackages: ["better-sqlite3"],
  // PostgreSQL's connection runs in a worker thread started by path (db/pg/worker.mjs), so the
  // tracer cannot see what it loads: pg with its dependencies, and drizzle's migrator for it.
  outputFileTracingIncludes: {
    "/**": [
      "./db/pg/worker.mjs",
      "./node_modules/pg/**",
      "./node_modules/pg-*/**",
      "./node_modules/pgpass/**",
      "./node_modules/postgres-*/**",
      "./node_modules/split2/**",
      "./node_modules/xtend/**",
      "./node_modules/drizzle-orm/**",
    ],
  },
  experimental: {
    // Lets server actions answer 401/403 through unauthorized()/forbidden().
    authInterrupts: true,
    // Kept equal to ACTION_BODY_LIMIT_BYTES (lib/security/http-policy.ts), which proxy.ts answers with 413.
    serverActions: { bodySizeLimit: "2mb" },
  },
  // The Content-Security-Policy (with a per-request nonce) and HSTS come from proxy.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
