// The few parts of `oidc-provider` (which ships no types) that test-support/cli/oidc-provider.ts uses.
declare module "oidc-provider" {
  import type { Server } from "node:http";
  type Account = { accountId: string; claims: () => Record<string, unknown> };
  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown> & { findAccount?: (ctx: unknown, id: string) => Promise<Account | undefined> });
    listen(port: number, host: string): Server;
  }
}
