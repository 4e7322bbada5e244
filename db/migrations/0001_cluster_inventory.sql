CREATE TABLE `cluster_flux_objects` (
	`cluster_id` text NOT NULL,
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`ready` text NOT NULL,
	`reason` text,
	`message` text,
	`revision` text,
	`is_suspended` integer DEFAULT false NOT NULL,
	`configuration` text,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `kind`, `namespace`, `name`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `cluster_health` (
	`cluster_id` text PRIMARY KEY NOT NULL,
	`state` text DEFAULT 'unknown' NOT NULL,
	`reason_kind` text,
	`reason` text,
	`checked_at` integer,
	`last_seen_at` integer,
	`latency_ms` integer,
	`kubernetes_version` text,
	`node_count` integer,
	`flux_installed` integer,
	`flux_version` text,
	`flux_controllers` text DEFAULT '[]' NOT NULL,
	`argo_installed` integer,
	`detected_reconciler` text,
	`flux_object_counts` text DEFAULT '[]' NOT NULL,
	`consecutive_failures` integer DEFAULT 0 NOT NULL,
	`next_check_at` integer NOT NULL,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_health_state_idx` ON `cluster_health` (`state`);--> statement-breakpoint
CREATE INDEX `cluster_health_next_idx` ON `cluster_health` (`next_check_at`);--> statement-breakpoint
CREATE TABLE `cluster_health_events` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`cluster_id` text NOT NULL,
	`at` integer NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`kubernetes_version` text,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `cluster_health_events_cluster_idx` ON `cluster_health_events` (`cluster_id`,`at`);--> statement-breakpoint
CREATE TABLE `clusters` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`display_name` text NOT NULL,
	`labels` text DEFAULT '{}' NOT NULL,
	`server` text NOT NULL,
	`auth_method` text NOT NULL,
	`credentials` text NOT NULL,
	`credentials_fingerprint` text NOT NULL,
	`credentials_rotated_at` integer NOT NULL,
	`reconciler_override` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`created_by` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clusters_name_unique` ON `clusters` (`name`);