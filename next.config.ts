import type { NextConfig } from "next";

const isProd = process.env.NODE_ENV === "production";

// Next's runtime needs inline scripts/styles; everything else is same-origin only.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${isProd ? "" : " 'unsafe-eval'"}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The build checks the app only; `npm run typecheck` covers tests and the harness too.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // Native and Node-only modules stay out of the server bundle.
  serverExternalPackages: ["better-sqlite3", "@kubernetes/client-node"],
  experimental: {
    // Lets server actions answer 401/403 through unauthorized()/forbidden().
    authInterrupts: true,
    serverActions: { bodySizeLimit: "2mb" },
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "Content-Security-Policy", value: contentSecurityPolicy },
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
