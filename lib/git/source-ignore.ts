import ignore, { type Ignore } from "ignore";

/**
 * Pure: which repository files Flux leaves out of a GitRepository's artifact, so Fleetline
 * never reads (or parses) what Flux ignores: `.sourceignore` files (gitignore syntax, each
 * relative to its own folder), the source's `spec.ignore`, and Flux's default exclusions,
 * which `spec.ignore` replaces when set (the VCS files stay excluded either way).
 */

const VCS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];
const DEFAULTS = [
  "*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
  ".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
  "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
];

export const SOURCEIGNORE = ".sourceignore";

/** A `.sourceignore` file: its folder ("" for the root) and its text. */
export type SourceIgnoreFile = { dir: string; content: string };

type Layer = { dir: string; rules: Ignore };

function layer(dir: string, patterns: string | readonly string[]): Layer {
  return { dir, rules: ignore({ allowRelativePaths: true }).add(patterns as string | string[]) };
}

/** The folders whose `.sourceignore` can apply to files under `dir`: the root, then each ancestor, then `dir`. */
export function sourceIgnorePathsFor(dir: string): string[] {
  const parts = dir.split("/").filter(Boolean);
  return [SOURCEIGNORE, ...parts.map((_, i) => `${parts.slice(0, i + 1).join("/")}/${SOURCEIGNORE}`)];
}

/** A predicate: true when Flux would leave the file (a repository path, no leading slash) out. */
export function sourceIgnoreFilter(spec: string | undefined, files: readonly SourceIgnoreFile[]): (file: string) => boolean {
  const layers: Layer[] = [layer("", spec === undefined ? [...VCS, ...DEFAULTS] : VCS)];
  // Shallower folders first, so a deeper .sourceignore can re-include with "!".
  const ordered = [...files].sort((a, b) => a.dir.split("/").length - b.dir.split("/").length || a.dir.localeCompare(b.dir));
  for (const file of ordered) layers.push(layer(file.dir, file.content));
  if (spec !== undefined) layers.push(layer("", spec));
  return (file) => {
    let ignored = false;
    for (const { dir, rules } of layers) {
      if (dir !== "" && !file.startsWith(`${dir}/`)) continue;
      const result = rules.test(dir === "" ? file : file.slice(dir.length + 1));
      if (result.ignored) ignored = true;
      else if (result.unignored) ignored = false;
    }
    return ignored;
  };
}
