// A real OpenID Connect provider (the `oidc-provider` package) on loopback for the single
// sign-on browser tests. Its accounts are fixed below; its login page is the package's own
// development interaction (any password; the login name picks the account). Runs until SIGTERM or
// until its parent goes away. Never shipped.
import { readFileSync } from "node:fs";
import Provider from "oidc-provider";

const OIDC_ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string; groups: string[] }> = {
  // groups mapped to roles by the guarded portal's FLEETLINE_OIDC_ROLE_MAP
  "alice-admin": { email: "alice@idp.test", email_verified: true, name: "Alice Platform", groups: ["platform-admins"] },
  "rita-reader": { email: "rita@idp.test", email_verified: true, name: "Rita Reader", groups: ["readers"] },
  // outside FLEETLINE_OIDC_ALLOWED_GROUPS
  "carl-contractor": { email: "carl@idp.test", email_verified: true, name: "Carl Contractor", groups: ["contractors"] },
  "una-unverified": { email: "una@idp.test", email_verified: false, name: "Una Unverified", groups: ["platform-admins"] },
  // claims the email of the guarded portal's local admin
  "mallory-lookalike": { email: "boss@guarded.test", email_verified: true, name: "Mallory", groups: ["readers"] },
};

async function main() {
  const port = Number(process.env.OIDC_PORT);
  const redirect = process.env.OIDC_REDIRECT_URI;
  if (!port || !redirect) throw new Error("OIDC_PORT and OIDC_REDIRECT_URI are required");
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.OIDC_CLIENT_ID ?? "fleetline",
        client_secret: process.env.OIDC_CLIENT_SECRET ?? "fleetline-test-secret",
        redirect_uris: [redirect],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"], groups: ["groups"] },
    // next-auth reads the profile from the ID token, so the scoped claims go there too.
    conformIdTokenClaims: false,
    cookies: { keys: ["oidc-e2e-only"] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const account = OIDC_ACCOUNTS[id];
      if (!account) return undefined;
      return { accountId: id, claims: () => ({ sub: id, ...account }) };
    },
  });
  const server = provider.listen(port, "127.0.0.1");
  // Playwright starts this through a shell: when the runner dies, that shell is re-parented.
  const grandparent = () => {
    try {
      return readFileSync(`/proc/${process.ppid}/stat`, "utf8").split(") ")[1]?.split(" ")[1];
    } catch {
      return undefined;
    }
  };
  const parent = process.ppid;
  const startGrandparent = grandparent();
  const stop = () => {
    server.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  // Stop by ourselves when the test runner is gone.
  setInterval(() => {
    if (process.ppid !== parent || grandparent() !== startGrandparent) stop();
  }, 1000).unref();
  console.log(`oidc provider on ${issuer}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
