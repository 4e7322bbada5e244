CREATE TABLE `configuration_status` (
	`configuration_id` text NOT NULL,
	`cluster_id` text NOT NULL,
	`state` text NOT NULL,
	`reason` text,
	`message` text,
	`expected_version` integer,
	`applied_version` integer,
	`source_revision` text,
	`applied_revision` text,
	`last_applied_at` integer,
	`reconcile_requested_at` text,
	`last_handled_reconcile_at` text,
	`has_config_drift` integer DEFAULT false NOT NULL,
	`config_drift` text DEFAULT '[]' NOT NULL,
	`has_revision_drift` integer DEFAULT false NOT NULL,
	`behind_by` integer,
	`revision_message` text,
	`has_resource_drift` integer DEFAULT false NOT NULL,
	`resource_drift_count` integer DEFAULT 0 NOT NULL,
	`state_changed_at` integer NOT NULL,
	`observed_at` integer NOT NULL,
	`last_seen_at` integer,
	PRIMARY KEY(`configuration_id`, `cluster_id`),
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `configuration_status_cluster_idx` ON `configuration_status` (`cluster_id`,`state`);--> statement-breakpoint
CREATE INDEX `configuration_status_state_idx` ON `configuration_status` (`state`,`configuration_id`);--> statement-breakpoint
CREATE INDEX `configuration_status_observed_idx` ON `configuration_status` (`observed_at`);--> statement-breakpoint
CREATE TABLE `configuration_status_history` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`configuration_id` text NOT NULL,
	`cluster_id` text NOT NULL,
	`at` integer NOT NULL,
	`state` text NOT NULL,
	`previous_state` text,
	`reason` text,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `status_history_at_idx` ON `configuration_status_history` (`at`,`state`,`previous_state`);--> statement-breakpoint
CREATE INDEX `status_history_configuration_idx` ON `configuration_status_history` (`configuration_id`,`at`);--> statement-breakpoint
CREATE INDEX `status_history_pair_idx` ON `configuration_status_history` (`cluster_id`,`configuration_id`,`at`);--> statement-breakpoint
CREATE TABLE `object_status` (
	`cluster_id` text NOT NULL,
	`configuration_id` text NOT NULL,
	`kind` text NOT NULL,
	`namespace` text NOT NULL,
	`name` text NOT NULL,
	`state` text NOT NULL,
	`ready` text,
	`reason` text,
	`message` text,
	`revision` text,
	`is_suspended` integer DEFAULT false NOT NULL,
	`generation` integer,
	`observed_generation` integer,
	`version` integer,
	`last_handled_reconcile_at` text,
	`inventory` text,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `kind`, `namespace`, `name`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `object_status_configuration_idx` ON `object_status` (`configuration_id`,`cluster_id`);--> statement-breakpoint
CREATE TABLE `source_status` (
	`configuration_id` text PRIMARY KEY NOT NULL,
	`url` text NOT NULL,
	`ref` text NOT NULL,
	`head_sha` text,
	`checked_at` integer NOT NULL,
	`error` text,
	`error_kind` text,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
