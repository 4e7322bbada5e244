DROP INDEX `configuration_status_cluster_idx`;--> statement-breakpoint
DROP INDEX `configuration_status_state_idx`;--> statement-breakpoint
CREATE INDEX `configuration_status_cluster_summary_idx` ON `configuration_status` (`cluster_id`,`state`,`observed_at`,`last_seen_at`,`has_config_drift`,`has_revision_drift`,`has_resource_drift`,`reconciler`);--> statement-breakpoint
CREATE INDEX `configuration_status_state_drift_idx` ON `configuration_status` (`state`,`configuration_id`,`has_config_drift`,`has_revision_drift`,`has_resource_drift`);--> statement-breakpoint
CREATE INDEX `configuration_status_configuration_state_idx` ON `configuration_status` (`configuration_id`,`state`);