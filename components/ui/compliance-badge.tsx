import type { ComplianceState } from "@/db/enums";
import { Badge } from "./badges";

type Tone = Parameters<typeof Badge>[0]["tone"];

/** The one compliance vocabulary: icon + word + colour, in the design's order of severity. */
export const COMPLIANCE_STYLE: Record<ComplianceState, { tone: Tone; icon: string }> = {
  "Non-Compliant": { tone: "red", icon: "✕" },
  Pending: { tone: "amber", icon: "◌" },
  Unknown: { tone: "neutral", icon: "?" },
  Suspended: { tone: "grey", icon: "‖" },
  Compliant: { tone: "green", icon: "✓" },
};

/** The reason shows on hover and is read out after the state, so it never depends on a pointer. */
export function ComplianceBadge({ state, reason }: { state: ComplianceState; reason?: string | null }) {
  const { tone, icon } = COMPLIANCE_STYLE[state];
  return (
    <Badge tone={tone} icon={icon} title={reason ?? undefined}>
      {state}
      {reason ? <span className="sr-only"> ({reason})</span> : null}
    </Badge>
  );
}
