ALTER TABLE `configuration_status` ADD `reconciler` text;--> statement-breakpoint
ALTER TABLE `configuration_status` ADD `argo_sync` text;--> statement-breakpoint
ALTER TABLE `configuration_status` ADD `argo_health` text;--> statement-breakpoint
ALTER TABLE `configuration_status` ADD `argo_operation_phase` text;--> statement-breakpoint
ALTER TABLE `configuration_status` ADD `argo_history` text;