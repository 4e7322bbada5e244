-- The compliance epoch (db/schema-compliance.ts complianceEpoch): one row, moved by triggers on every
-- change the compliance figures depend on, so a cached summary is never served past a change.
CREATE TABLE `compliance_epoch` (
	`id` integer PRIMARY KEY NOT NULL,
	`value` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
INSERT INTO `compliance_epoch` (`id`, `value`) VALUES (1, 0);
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_status_insert` AFTER INSERT ON `configuration_status` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_status_update` AFTER UPDATE ON `configuration_status` FOR EACH ROW WHEN (old.`configuration_id` IS NOT new.`configuration_id` OR old.`cluster_id` IS NOT new.`cluster_id` OR old.`state` IS NOT new.`state` OR old.`reason` IS NOT new.`reason` OR old.`message` IS NOT new.`message` OR old.`applied_version` IS NOT new.`applied_version` OR old.`has_config_drift` IS NOT new.`has_config_drift` OR old.`has_revision_drift` IS NOT new.`has_revision_drift` OR old.`has_resource_drift` IS NOT new.`has_resource_drift` OR old.`state_changed_at` IS NOT new.`state_changed_at`) BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_status_delete` AFTER DELETE ON `configuration_status` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_targets_insert` AFTER INSERT ON `configuration_targets` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_targets_update` AFTER UPDATE ON `configuration_targets` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_targets_delete` AFTER DELETE ON `configuration_targets` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_clusters_insert` AFTER INSERT ON `clusters` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_clusters_update` AFTER UPDATE ON `clusters` FOR EACH ROW WHEN (old.`id` IS NOT new.`id` OR old.`name` IS NOT new.`name` OR old.`labels` IS NOT new.`labels`) BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_clusters_delete` AFTER DELETE ON `clusters` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_configurations_insert` AFTER INSERT ON `configurations` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_configurations_update` AFTER UPDATE ON `configurations` FOR EACH ROW WHEN (old.`id` IS NOT new.`id` OR old.`name` IS NOT new.`name` OR old.`pushed_version` IS NOT new.`pushed_version` OR old.`deleted_at` IS NOT new.`deleted_at`) BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_configurations_delete` AFTER DELETE ON `configurations` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_versions_insert` AFTER INSERT ON `configuration_versions` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_assignments_insert` AFTER INSERT ON `assignments` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_assignments_update` AFTER UPDATE ON `assignments` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
--> statement-breakpoint
CREATE TRIGGER `compliance_epoch_assignments_delete` AFTER DELETE ON `assignments` FOR EACH ROW BEGIN UPDATE `compliance_epoch` SET `value` = `value` + 1 WHERE `id` = 1; END;
