// The flags and environment the portal's server process runs with: `npm start` (scripts/serve.mjs), the container
// image (the Dockerfile's CMD spells the same list; scripts/node-flags.test.ts checks they agree),
// the end-to-end tests' server, and bench:fleet's loop process, so what the benchmark measures is
// what production runs.
//
// Both bound V8's heap to what the process holds rather than what it once allocated (issue 12,
// rss_mib at 2,000 clusters). The observation loop allocates in bursts (a full observation's
// listings, a commit applied fleet-wide) and holds little between them:
// - --max-semi-space-size=2: the young generation's two halves at most 2 MiB each (V8's default
//   on this machine lets them grow to 16 MiB), so short-lived objects are collected more often
//   (traced at 2,000 clusters at rest with 4 MiB: young and full collections held the main thread
//   under 1 % of a core; in the 10 s a full collection falls in, V8's worker threads add 7–9 % of a
//   core). 2 MiB (from 4) took 4 MiB off the committed young generation at 2,000 clusters with no
//   change in bench:fleet's CPU figures (steady_cpu_pct 15.5 against 14.9–15.8).
// - --heap-growing-percent=25: after a full collection the old generation may grow 25 % over what
//   survived before the next. Left to V8's own factor, at 2,000 clusters it kept 455 MiB for
//   about 200 MiB in use.
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=2", "--heap-growing-percent=25"];

// glibc's malloc gives every allocation of 16 KiB or more pages of its own (mmap) instead of a
// piece of its main heap, and never raises that threshold. Every open TLS connection keeps a 64 KiB
// input buffer (Node sizes it from libuv's read size and gives a client no way to change it), and
// every HTTP/2 session nghttp2's 16 KiB frame buffer, as OpenSSL its record buffers: carved from the
// main heap, where earlier work had touched the memory, each counted whole in the resident size; on
// pages of their own, only what was ever written does. bench:fleet at 2,000 clusters: rss 563 MiB
// without, 505 with 32 KiB (the 64 KiB buffers alone); 16 KiB took glibc's main heap from 212–221
// MiB to 192 after 600 s (rss_mib 401 -> 382 with the young generation at 2 MiB), steady_cpu_pct
// unchanged. musl ignores it. A value already in the environment is kept.
export const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: String(16 * 1024) };

/** The environment to start the server with: `env` with SERVER_ENV's defaults under it. */
export function serverEnv(env) {
  return { ...SERVER_ENV, ...env };
}
