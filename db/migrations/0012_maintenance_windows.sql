CREATE TABLE `maintenance_windows` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`selector` text NOT NULL,
	`cron` text,
	`duration_minutes` integer,
	`time_zone` text DEFAULT 'UTC' NOT NULL,
	`starts_at` integer,
	`ends_at` integer,
	`reason` text DEFAULT '' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `maintenance_windows_name_unique` ON `maintenance_windows` (`name`);--> statement-breakpoint
CREATE INDEX `maintenance_windows_kind_idx` ON `maintenance_windows` (`kind`);--> statement-breakpoint
ALTER TABLE `rollouts` ADD `window_override` text;