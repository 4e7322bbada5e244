import { Badge } from "@/components/ui/badges";

/** Cluster-supplied text cut for a table cell; the whole of it goes in a title or a disclosure. */
export function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** A version and its marks: behind the newest in the fleet, and not what Git says. Icon and word, never colour alone. */
export function VersionMarks({ isBehind, isNotInGit, newest, gitImage }: { isBehind: boolean; isNotInGit: boolean; newest: string | null; gitImage: string | null }) {
  return (
    <>
      {isBehind ? (
        <Badge tone="amber" icon="↓" title={newest ? `A newer version runs elsewhere in the fleet: ${newest}` : undefined}>
          Behind
        </Badge>
      ) : null}
      {isNotInGit ? (
        <Badge tone="red" icon="≠" title={gitImage ? `Git says ${gitImage}` : undefined}>
          Not what Git says
        </Badge>
      ) : null}
    </>
  );
}
