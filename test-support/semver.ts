// Just enough semver to resolve GitRepository spec.ref.semver against tags:
// exact versions, x-ranges, ^, ~, comparators (space or comma separated) and ||.

type Version = { major: number; minor: number; patch: number; pre: string };
type Comparator = { op: "<" | "<=" | ">" | ">=" | "="; v: Version };

export function parseVersion(text: string): Version | undefined {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] ?? "" };
}

export function compareVersions(a: Version, b: Version): number {
  const byNumber = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (byNumber !== 0) return byNumber;
  if (a.pre === b.pre) return 0;
  if (!a.pre) return 1; // a release sorts after its pre-releases
  if (!b.pre) return -1;
  return a.pre < b.pre ? -1 : 1;
}

const v = (major: number, minor: number, patch: number, pre = ""): Version => ({ major, minor, patch, pre });

/** Expands one comparator term (e.g. "^1.2", ">=1.0.0", "1.x") into plain comparisons. */
function expand(term: string): Comparator[] {
  const m = /^(\^|~|<=|>=|<|>|=)?\s*v?(\d+|[xX*])?(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:-([0-9A-Za-z.-]+))?$/.exec(term);
  if (!m) throw new Error(`invalid semver constraint term "${term}"`);
  const op = m[1] ?? "";
  const parts = [m[2], m[3], m[4]].map((p) => (p === undefined || /[xX*]/.test(p) ? undefined : Number(p)));
  const [major, minor, patch] = parts;
  const floor = v(major ?? 0, minor ?? 0, patch ?? 0, m[5] ?? "");
  if (major === undefined) return op === "<" ? [{ op: "<", v: v(0, 0, 0) }] : [{ op: ">=", v: v(0, 0, 0) }];
  if (op === "^") {
    const ceil = major > 0 || minor === undefined ? v(major + 1, 0, 0) : minor > 0 || patch === undefined ? v(0, minor + 1, 0) : v(0, 0, patch + 1);
    return [{ op: ">=", v: floor }, { op: "<", v: ceil }];
  }
  if (op === "~" || ((op === "" || op === "=") && patch === undefined)) {
    const ceil = minor === undefined ? v(major + 1, 0, 0) : v(major, minor + 1, 0);
    return [{ op: ">=", v: floor }, { op: "<", v: ceil }];
  }
  return [{ op: op === "" ? "=" : (op as Comparator["op"]), v: floor }];
}

function test(c: Comparator, version: Version): boolean {
  const cmp = compareVersions(version, c.v);
  switch (c.op) {
    case "<":
      return cmp < 0;
    case "<=":
      return cmp <= 0;
    case ">":
      return cmp > 0;
    case ">=":
      return cmp >= 0;
    case "=":
      return cmp === 0;
  }
}

export function satisfies(version: Version, range: string): boolean {
  return range.split("||").some((group) => {
    const terms = group.replace(/([<>=^~])\s+/g, "$1").split(/[\s,]+/).filter(Boolean);
    const comparators = (terms.length > 0 ? terms : ["*"]).flatMap(expand);
    // Pre-releases only match a range that names a pre-release itself, as Flux does.
    if (version.pre && !comparators.some((c) => c.v.pre)) return false;
    return comparators.every((c) => test(c, version));
  });
}

/** The highest tag that parses as semver and satisfies `range`. */
export function latestMatching(tags: string[], range: string): string | undefined {
  let best: { tag: string; version: Version } | undefined;
  for (const tag of tags) {
    const version = parseVersion(tag);
    if (version && satisfies(version, range) && (!best || compareVersions(version, best.version) > 0)) best = { tag, version };
  }
  return best?.tag;
}
