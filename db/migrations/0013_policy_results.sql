CREATE TABLE `policy_reads` (
	`cluster_id` text NOT NULL,
	`engine` text NOT NULL,
	`read_at` integer NOT NULL,
	`ok_at` integer,
	`error` text,
	`results` integer DEFAULT 0 NOT NULL,
	`truncated` integer DEFAULT false NOT NULL,
	PRIMARY KEY(`cluster_id`, `engine`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `policy_results` (
	`cluster_id` text NOT NULL,
	`engine` text NOT NULL,
	`policy` text NOT NULL,
	`source` text NOT NULL,
	`category` text,
	`severity` text,
	`enforcement_action` text,
	`pass` integer DEFAULT 0 NOT NULL,
	`fail` integer DEFAULT 0 NOT NULL,
	`warn` integer DEFAULT 0 NOT NULL,
	`error` integer DEFAULT 0 NOT NULL,
	`skip` integer DEFAULT 0 NOT NULL,
	`audited_at` integer,
	`violations_stored` integer DEFAULT 0 NOT NULL,
	`observed_at` integer NOT NULL,
	PRIMARY KEY(`cluster_id`, `engine`, `policy`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `policy_results_policy_idx` ON `policy_results` (`engine`,`policy`);--> statement-breakpoint
CREATE TABLE `policy_violations` (
	`cluster_id` text NOT NULL,
	`engine` text NOT NULL,
	`policy` text NOT NULL,
	`ordinal` integer NOT NULL,
	`result` text NOT NULL,
	`rule` text,
	`severity` text,
	`enforcement_action` text,
	`resource_kind` text,
	`resource_namespace` text,
	`resource_name` text,
	`message` text DEFAULT '' NOT NULL,
	PRIMARY KEY(`cluster_id`, `engine`, `policy`, `ordinal`),
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
