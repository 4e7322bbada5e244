ALTER TABLE `rollout_clusters` ADD `wave` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `rollouts` ADD `strategy` text;--> statement-breakpoint
ALTER TABLE `rollouts` ADD `control` text;--> statement-breakpoint
ALTER TABLE `rollouts` ADD `previous_version` integer;