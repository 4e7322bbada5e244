CREATE TABLE `policy_waivers` (
	`id` text PRIMARY KEY NOT NULL,
	`engine` text NOT NULL,
	`policy` text NOT NULL,
	`resource_kind` text,
	`resource_namespace` text,
	`resource_name` text,
	`selector` text NOT NULL,
	`reason` text NOT NULL,
	`status` text NOT NULL,
	`requested_by_id` text NOT NULL,
	`requested_by` text NOT NULL,
	`requested_at` integer NOT NULL,
	`decided_by_id` text,
	`decided_by` text,
	`decided_at` integer,
	`decision_note` text,
	`expires_at` integer NOT NULL,
	`expiry_recorded_at` integer
);
--> statement-breakpoint
CREATE INDEX `policy_waivers_policy_idx` ON `policy_waivers` (`engine`,`policy`);--> statement-breakpoint
CREATE INDEX `policy_waivers_status_idx` ON `policy_waivers` (`status`,`expires_at`);