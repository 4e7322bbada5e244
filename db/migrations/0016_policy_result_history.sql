CREATE TABLE `policy_result_history` (
	`cluster_id` text NOT NULL,
	`engine` text NOT NULL,
	`policy` text NOT NULL,
	`at` integer NOT NULL,
	`passing` integer NOT NULL,
	`previous_passing` integer,
	FOREIGN KEY (`cluster_id`) REFERENCES `clusters`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `policy_result_history_at_idx` ON `policy_result_history` (`at`);--> statement-breakpoint
CREATE INDEX `policy_result_history_pair_idx` ON `policy_result_history` (`cluster_id`,`engine`,`policy`,`at`);