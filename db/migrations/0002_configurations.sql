CREATE TABLE `configuration_targets` (
	`configuration_id` text NOT NULL,
	`cluster_id` text NOT NULL,
	`reason` text NOT NULL,
	`resolved_at` integer NOT NULL,
	PRIMARY KEY(`configuration_id`, `cluster_id`),
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `configuration_targets_cluster_idx` ON `configuration_targets` (`cluster_id`);--> statement-breakpoint
CREATE TABLE `configuration_versions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`configuration_id` text NOT NULL,
	`version` integer NOT NULL,
	`spec` text NOT NULL,
	`author` text NOT NULL,
	`message` text DEFAULT '' NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `configuration_versions_unique` ON `configuration_versions` (`configuration_id`,`version`);--> statement-breakpoint
CREATE TABLE `configurations` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`namespace` text NOT NULL,
	`current_version` integer NOT NULL,
	`pushed_version` integer,
	`is_suspended` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`deleted_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `configurations_name_live_unique` ON `configurations` (`name`) WHERE deleted_at is null;--> statement-breakpoint
CREATE TABLE `credentials` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`type` text NOT NULL,
	`host` text NOT NULL,
	`sealed` text NOT NULL,
	`fingerprint` text NOT NULL,
	`public_key` text,
	`known_hosts` text DEFAULT '[]' NOT NULL,
	`username` text,
	`has_ca_cert` integer DEFAULT false NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `credentials_name_unique` ON `credentials` (`name`);--> statement-breakpoint
CREATE TABLE `rollout_clusters` (
	`rollout_id` text NOT NULL,
	`cluster_id` text NOT NULL,
	`action` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`conflicts` text DEFAULT '[]' NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	`objects` text DEFAULT '[]' NOT NULL,
	`pruned` text DEFAULT '[]' NOT NULL,
	PRIMARY KEY(`rollout_id`, `cluster_id`),
	FOREIGN KEY (`rollout_id`) REFERENCES `rollouts`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `rollout_clusters_cluster_idx` ON `rollout_clusters` (`cluster_id`,`state`);--> statement-breakpoint
CREATE TABLE `rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`sequence` integer NOT NULL,
	`configuration_id` text NOT NULL,
	`version` integer NOT NULL,
	`trigger` text NOT NULL,
	`state` text NOT NULL,
	`created_by` text NOT NULL,
	`actor` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `rollouts_sequence_unique` ON `rollouts` (`sequence`);--> statement-breakpoint
CREATE INDEX `rollouts_configuration_idx` ON `rollouts` (`configuration_id`,`sequence`);--> statement-breakpoint
CREATE INDEX `rollouts_state_idx` ON `rollouts` (`state`);