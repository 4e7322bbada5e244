// Pure: the notification vocabularies, shared by the server, the schema and the settings forms.

export const CHANNEL_TYPES = ["slack", "teams", "discord", "rocketchat", "webhook"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export const CHANNEL_TYPE_LABELS: Record<ChannelType, string> = {
  slack: "Slack incoming webhook",
  teams: "Microsoft Teams workflow webhook",
  discord: "Discord webhook",
  rocketchat: "Rocket.Chat incoming webhook",
  webhook: "Generic webhook (signed JSON)",
};

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const NOTIFICATION_EVENTS = [
  "configuration.non-compliant",
  "configuration.unknown",
  "configuration.compliant",
  "drift.detected",
  "rollout.failed",
  "rollout.halted",
  "rollout.approval",
  "rollout.finished",
  "cluster.unreachable",
  "cluster.reachable",
  "waiver.expiring",
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

export const EVENT_INFO: Record<NotificationEvent, { label: string; severity: Severity }> = {
  "configuration.non-compliant": { label: "A configuration becomes Non-Compliant on a cluster", severity: "critical" },
  "configuration.unknown": { label: "A configuration's state on a cluster becomes Unknown", severity: "warning" },
  "configuration.compliant": { label: "A configuration returns to Compliant on a cluster", severity: "info" },
  "drift.detected": { label: "A configuration starts drifting on a cluster (live objects differ from the spec)", severity: "warning" },
  "rollout.failed": { label: "A rollout finishes with failed clusters", severity: "critical" },
  "rollout.halted": { label: "A rollout halts at a wave gate", severity: "critical" },
  "rollout.approval": { label: "A rollout waits for approval", severity: "warning" },
  "rollout.finished": { label: "A rollout finishes", severity: "info" },
  "cluster.unreachable": { label: "A cluster becomes unreachable", severity: "critical" },
  "cluster.reachable": { label: "A cluster is reachable again", severity: "info" },
  "waiver.expiring": { label: "An approved waiver is about to expire", severity: "warning" },
};

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}
