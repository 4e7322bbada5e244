CREATE TABLE `notification_channels` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`secret` text NOT NULL,
	`host` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_channels_name_unique` ON `notification_channels` (`name`);--> statement-breakpoint
CREATE TABLE `notification_deliveries` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`at` integer NOT NULL,
	`rule_id` text,
	`rule_name` text,
	`channel_id` text NOT NULL,
	`channel_name` text NOT NULL,
	`event_type` text NOT NULL,
	`event_count` integer NOT NULL,
	`ok` integer NOT NULL,
	`status_code` integer,
	`error` text,
	`attempts` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `notification_deliveries_at_idx` ON `notification_deliveries` (`at`);--> statement-breakpoint
CREATE INDEX `notification_deliveries_channel_idx` ON `notification_deliveries` (`channel_id`,`at`);--> statement-breakpoint
CREATE TABLE `notification_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`type` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`cluster_id` text,
	`cluster_name` text,
	`configuration_id` text,
	`configuration_name` text,
	`detail` text,
	`link` text NOT NULL,
	`created_at` integer NOT NULL,
	`state` text DEFAULT 'pending' NOT NULL,
	`claim_token` text,
	`claimed_at` integer
);
--> statement-breakpoint
CREATE INDEX `notification_events_state_idx` ON `notification_events` (`state`,`id`);--> statement-breakpoint
CREATE INDEX `notification_events_claim_idx` ON `notification_events` (`claim_token`);--> statement-breakpoint
CREATE TABLE `notification_rules` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`events` text NOT NULL,
	`configuration_id` text,
	`selector` text,
	`min_severity` text NOT NULL,
	`channel_ids` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `notification_rules_name_unique` ON `notification_rules` (`name`);