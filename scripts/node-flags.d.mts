/** The node flags the portal's server process runs with (scripts/node-flags.mjs). */
export declare const SERVER_NODE_FLAGS: readonly string[];
