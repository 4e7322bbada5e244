// Run in a child process by crafted-repository.int.test.ts, so that a crash of the YAML
// parser shows as a failed exit instead of killing the test runner. Reads a Kustomization
// path from a repository through the hardened git client and builds its desired objects
// as the drift page does; prints one JSON line.
import { buildDesired } from "@/lib/drift/manifests";
import { repoPathspec } from "@/lib/git/policy";
import { openRepository } from "@/lib/git/repository";

const [url = "", sha = "", dir = "", ignore] = process.argv.slice(2);
const repository = openRepository({ url, ...(ignore ? { ignore } : {}) });

async function main(): Promise<void> {
  const results: unknown[] = [];
  // Twice: the live crash came from the parse after a caught stack overflow.
  for (let round = 0; round < 2; round++) {
    const files = await repository.readTree(sha, dir);
    results.push({ files: files.map((f) => f.path), built: buildDesired(files, repoPathspec(dir)) });
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

void main();
