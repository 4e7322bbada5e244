CREATE TABLE `chart_versions` (
	`cluster_id` text NOT NULL,
	`release_namespace` text NOT NULL,
	`release_name` text NOT NULL,
	`configuration_id` text NOT NULL,
	`chart_name` text NOT NULL,
	`chart_version` text NOT NULL,
	`app_version` text,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `release_namespace`, `release_name`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `chart_versions_chart_idx` ON `chart_versions` (`chart_name`);--> statement-breakpoint
CREATE TABLE `version_first_seen` (
	`kind` text NOT NULL,
	`name` text NOT NULL,
	`version` text NOT NULL,
	`first_seen_at` integer NOT NULL,
	PRIMARY KEY(`kind`, `name`, `version`)
);
--> statement-breakpoint
CREATE TABLE `version_reads` (
	`cluster_id` text PRIMARY KEY NOT NULL,
	`read_at` integer NOT NULL,
	`ok_at` integer,
	`error` text,
	`images` integer DEFAULT 0 NOT NULL,
	`truncated` integer DEFAULT false NOT NULL,
	`git_note` text,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `workload_images` (
	`cluster_id` text NOT NULL,
	`ordinal` integer NOT NULL,
	`configuration_id` text NOT NULL,
	`workload_kind` text NOT NULL,
	`workload_namespace` text DEFAULT '' NOT NULL,
	`workload_name` text NOT NULL,
	`container` text DEFAULT '' NOT NULL,
	`is_init` integer DEFAULT false NOT NULL,
	`image` text NOT NULL,
	`registry` text NOT NULL,
	`repository` text NOT NULL,
	`tag` text,
	`digest` text,
	`git_image` text,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `ordinal`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `workload_images_repository_idx` ON `workload_images` (`registry`,`repository`);--> statement-breakpoint
CREATE INDEX `workload_images_configuration_idx` ON `workload_images` (`configuration_id`);