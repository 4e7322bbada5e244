// Runs once per server process before it serves: migrations, first-admin seeding, background work.
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // First: whatever Next prints from here on (errors thrown out of server actions) is redacted.
  const { installConsoleRedaction } = await import("./lib/log");
  installConsoleRedaction();
  const { boot } = await import("./lib/server/boot");
  await boot();
}
