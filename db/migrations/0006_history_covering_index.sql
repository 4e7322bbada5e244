DROP INDEX `status_history_pair_idx`;--> statement-breakpoint
CREATE INDEX `status_history_pair_idx` ON `configuration_status_history` (`cluster_id`,`configuration_id`,`at`,`state`,`previous_state`);