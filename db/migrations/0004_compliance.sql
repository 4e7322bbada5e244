CREATE TABLE `assignments` (
	`id` text PRIMARY KEY NOT NULL,
	`name` text NOT NULL,
	`configuration_id` text NOT NULL,
	`selector` text NOT NULL,
	`effect` text DEFAULT 'audit' NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignments_name_unique` ON `assignments` (`name`);--> statement-breakpoint
CREATE INDEX `assignments_configuration_idx` ON `assignments` (`configuration_id`);