/** The node flags the portal's server process runs with (scripts/node-flags.mjs). */
export declare const SERVER_NODE_FLAGS: readonly string[];
/** The environment defaults the server process runs with (scripts/node-flags.mjs). */
export declare const SERVER_ENV: Readonly<Record<string, string>>;
/** `env` with SERVER_ENV's defaults under it. */
export declare function serverEnv<T extends Record<string, string | undefined>>(env: T): T & Record<string, string | undefined>;
