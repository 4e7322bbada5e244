// The flags and environment the portal's server process runs with: `npm start` (scripts/serve.mjs), the container
// image (the Dockerfile's CMD spells the same list; scripts/node-flags.test.ts checks they agree),
// the end-to-end tests' server, and bench:fleet's loop process, so what the benchmark measures is
// what production runs.
//
// Both bound V8's heap to what the process holds rather than what it once allocated (issue 12,
// rss_mib at 2,000 clusters). The observation loop allocates in bursts (a full observation's
// listings, a commit applied fleet-wide) and holds little between them:
// - --max-semi-space-size=4: the young generation's two halves at most 4 MiB each (V8's default
//   on this machine lets them grow to 16 MiB), so short-lived objects are collected more often
//   (traced at 2,000 clusters at rest: young and full collections held the main thread under 1 % of
//   a core; in the 10 s a full collection falls in, V8's worker threads add 7–9 % of a core).
// - --heap-growing-percent=25: after a full collection the old generation may grow 25 % over what
//   survived before the next. Left to V8's own factor, at 2,000 clusters it kept 455 MiB for
//   about 200 MiB in use.
export const SERVER_NODE_FLAGS = ["--max-semi-space-size=4", "--heap-growing-percent=25"];

// glibc's malloc gives every allocation of 32 KiB or more pages of its own (mmap) instead of a
// piece of its main heap, and never raises that threshold. Every open TLS connection keeps a 64 KiB
// input buffer (Node sizes it from libuv's read size and gives a client no way to change it):
// carved from the main heap, where earlier work had touched the memory, each counted whole in the
// resident size; on pages of its own, only what a read ever filled does. bench:fleet at 2,000
// clusters: rss 563 MiB without, 505 with (the off-heap part 325 -> 278). musl ignores it.
// A value already in the environment is kept.
export const SERVER_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 * 1024) };

/** The environment to start the server with: `env` with SERVER_ENV's defaults under it. */
export function serverEnv(env) {
  return { ...SERVER_ENV, ...env };
}
