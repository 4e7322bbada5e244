ALTER TABLE `cluster_health` ADD `argo_version` text;--> statement-breakpoint
ALTER TABLE `cluster_health` ADD `argo_controllers` text DEFAULT '[]' NOT NULL;