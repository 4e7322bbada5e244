import semver from "semver";

/**
 * Pure: which of two versions of one image (or chart) is newer. Two semantic versions (a
 * leading `v` allowed: `v1.2.3`) compare as semver does, pre-releases below their release;
 * anything else (`latest`, `main-1a2b3c`, a digest, or a semver beside a non-semver tag) by
 * the time Fleetline first saw it anywhere in the fleet, since a tag's name says nothing
 * about its age. Equal first-seen times fall back to the text so the order is total.
 */

export type VersionPoint = { version: string; firstSeenAt: number };

export function semverOf(version: string): string | null {
  return semver.valid(version, { loose: false }) ?? (version.startsWith("v") ? semver.valid(version.slice(1)) : null);
}

export function compareVersions(a: VersionPoint, b: VersionPoint): number {
  if (a.version === b.version) return 0;
  const sa = semverOf(a.version);
  const sb = semverOf(b.version);
  if (sa && sb) {
    const byVersion = semver.compare(sa, sb);
    if (byVersion !== 0) return byVersion;
  }
  if (a.firstSeenAt !== b.firstSeenAt) return a.firstSeenAt - b.firstSeenAt;
  return a.version < b.version ? -1 : 1;
}

/** The newest version among those seen (none for an empty list). */
export function newestOf(points: readonly VersionPoint[]): VersionPoint | undefined {
  let newest: VersionPoint | undefined;
  for (const p of points) if (!newest || compareVersions(p, newest) > 0) newest = p;
  return newest;
}

/** A version is behind when a newer one of the same image runs somewhere in the fleet. */
export function isBehind(point: VersionPoint, newest: VersionPoint | undefined): boolean {
  return newest !== undefined && compareVersions(point, newest) < 0;
}
