// The environment the portal's server process starts with: the caller's, and MALLOC_ARENA_MAX=2
// unless it is set. glibc gives threads malloc arenas of their own that keep freed memory apart;
// with two, bench:fleet's loop process at 500 registrations held 315 MiB after 480 s where it had
// held 340 and 357 MiB with glibc's default. The container image sets the same (Dockerfile).
export function serverEnv(env = process.env) {
  return { MALLOC_ARENA_MAX: "2", ...env };
}
