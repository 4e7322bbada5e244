// A portal process reduced to its coordinator, for the test that kills one in the middle of a
// rollout: runs the rollout given on the command line against DATABASE_URL and prints "running".
// Never shipped.
const rolloutId = process.argv[2] ?? "";

async function main() {
  const { runRollout } = await import("@/lib/push/run");
  const done = runRollout(rolloutId, { retry: { retries: 1, baseMs: 100, maxMs: 300 } });
  console.log("running");
  await done;
  console.log("finished");
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
