-- What the SQLite migrations do beyond tables (0009 compliance_epoch, 0021 compliance_cells), for PostgreSQL;
-- and the fill-id trigger db/pg/schema.ts describes: drizzle's SQLite inserts send NULL for an autoincrement key.
CREATE FUNCTION fleetline_fill_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.id IS NULL THEN NEW.id := nextval(pg_get_serial_sequence(TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, 'id')); END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER audit_log_fill_id BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
CREATE TRIGGER cluster_health_events_fill_id BEFORE INSERT ON cluster_health_events FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
CREATE TRIGGER configuration_status_history_fill_id BEFORE INSERT ON configuration_status_history FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
CREATE TRIGGER configuration_versions_fill_id BEFORE INSERT ON configuration_versions FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
CREATE TRIGGER notification_deliveries_fill_id BEFORE INSERT ON notification_deliveries FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
CREATE TRIGGER notification_events_fill_id BEFORE INSERT ON notification_events FOR EACH ROW EXECUTE FUNCTION fleetline_fill_id();
--> statement-breakpoint
INSERT INTO compliance_epoch (id, value) VALUES (1, 0);
--> statement-breakpoint
CREATE FUNCTION fleetline_bump_compliance_epoch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE compliance_epoch SET value = value + 1 WHERE id = 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_status_insert AFTER INSERT ON configuration_status FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_status_update AFTER UPDATE ON configuration_status FOR EACH ROW WHEN (old.configuration_id IS DISTINCT FROM new.configuration_id OR old.cluster_id IS DISTINCT FROM new.cluster_id OR old.state IS DISTINCT FROM new.state OR old.reason IS DISTINCT FROM new.reason OR old.message IS DISTINCT FROM new.message OR old.applied_version IS DISTINCT FROM new.applied_version OR old.has_config_drift IS DISTINCT FROM new.has_config_drift OR old.has_revision_drift IS DISTINCT FROM new.has_revision_drift OR old.has_resource_drift IS DISTINCT FROM new.has_resource_drift OR old.state_changed_at IS DISTINCT FROM new.state_changed_at) EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_status_delete AFTER DELETE ON configuration_status FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_targets_insert AFTER INSERT ON configuration_targets FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_targets_update AFTER UPDATE ON configuration_targets FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_targets_delete AFTER DELETE ON configuration_targets FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_clusters_insert AFTER INSERT ON clusters FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_clusters_update AFTER UPDATE ON clusters FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.name IS DISTINCT FROM new.name OR old.labels IS DISTINCT FROM new.labels) EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_clusters_delete AFTER DELETE ON clusters FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_configurations_insert AFTER INSERT ON configurations FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_configurations_update AFTER UPDATE ON configurations FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.name IS DISTINCT FROM new.name OR old.pushed_version IS DISTINCT FROM new.pushed_version OR old.deleted_at IS DISTINCT FROM new.deleted_at) EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_configurations_delete AFTER DELETE ON configurations FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_assignments_insert AFTER INSERT ON assignments FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_assignments_update AFTER UPDATE ON assignments FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_assignments_delete AFTER DELETE ON assignments FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
CREATE TRIGGER compliance_epoch_versions_insert AFTER INSERT ON configuration_versions FOR EACH ROW EXECUTE FUNCTION fleetline_bump_compliance_epoch();
--> statement-breakpoint
INSERT INTO compliance_cells_state (id, assignments_hash, stale) VALUES (1, '', 1);
--> statement-breakpoint
-- One pair's cell, by the rules of lib/compliance/cells-sql.ts cellsCte (rank in COMPLIANCE_STATES order).
CREATE FUNCTION fleetline_refresh_cell(cfg text, cl text) RETURNS void LANGUAGE sql AS $$
  UPDATE compliance_cells SET (not_applied, state, rank, since, has_config_drift, has_revision_drift, has_resource_drift) = (
    SELECT na, CASE WHEN na = 1 THEN 'Non-Compliant' ELSE st END,
      CASE WHEN na = 1 THEN 0 ELSE (CASE st WHEN 'Non-Compliant' THEN 0 WHEN 'Pending' THEN 1 WHEN 'Unknown' THEN 2 WHEN 'Suspended' THEN 3 WHEN 'Compliant' THEN 4 ELSE 2 END) END,
      since, cd, rd, xd
    FROM (
      SELECT coalesce(NOT EXISTS (SELECT 1 FROM configuration_targets ct WHERE ct.configuration_id = cfg AND ct.cluster_id = cl)
               OR s.cluster_id IS NULL OR (s.applied_version IS NULL AND s.reason LIKE '%: PushFailed'), false)::int AS na,
        s.state AS st, s.state_changed_at AS since,
        coalesce(s.has_config_drift, 0) AS cd, coalesce(s.has_revision_drift, 0) AS rd, coalesce(s.has_resource_drift, 0) AS xd
      FROM (SELECT 1) one LEFT JOIN configuration_status s ON s.configuration_id = cfg AND s.cluster_id = cl
    ) pair)
  WHERE configuration_id = cfg AND cluster_id = cl
$$;
--> statement-breakpoint
CREATE FUNCTION fleetline_refresh_new_cell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fleetline_refresh_cell(NEW.configuration_id, NEW.cluster_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION fleetline_refresh_old_cell() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM fleetline_refresh_cell(OLD.configuration_id, OLD.cluster_id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE FUNCTION fleetline_cells_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE compliance_cells_state SET stale = 1 WHERE id = 1;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER compliance_cells_status_insert AFTER INSERT ON configuration_status FOR EACH ROW EXECUTE FUNCTION fleetline_refresh_new_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_status_update AFTER UPDATE ON configuration_status FOR EACH ROW WHEN (old.configuration_id IS DISTINCT FROM new.configuration_id OR old.cluster_id IS DISTINCT FROM new.cluster_id OR old.state IS DISTINCT FROM new.state OR old.reason IS DISTINCT FROM new.reason OR old.applied_version IS DISTINCT FROM new.applied_version OR old.has_config_drift IS DISTINCT FROM new.has_config_drift OR old.has_revision_drift IS DISTINCT FROM new.has_revision_drift OR old.has_resource_drift IS DISTINCT FROM new.has_resource_drift OR old.state_changed_at IS DISTINCT FROM new.state_changed_at) EXECUTE FUNCTION fleetline_refresh_new_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_status_rekey AFTER UPDATE ON configuration_status FOR EACH ROW WHEN (old.configuration_id IS DISTINCT FROM new.configuration_id OR old.cluster_id IS DISTINCT FROM new.cluster_id) EXECUTE FUNCTION fleetline_refresh_old_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_status_delete AFTER DELETE ON configuration_status FOR EACH ROW EXECUTE FUNCTION fleetline_refresh_old_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_targets_insert AFTER INSERT ON configuration_targets FOR EACH ROW EXECUTE FUNCTION fleetline_refresh_new_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_targets_rekey AFTER UPDATE ON configuration_targets FOR EACH ROW WHEN (old.configuration_id IS DISTINCT FROM new.configuration_id OR old.cluster_id IS DISTINCT FROM new.cluster_id) EXECUTE FUNCTION fleetline_refresh_new_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_targets_delete AFTER DELETE ON configuration_targets FOR EACH ROW EXECUTE FUNCTION fleetline_refresh_old_cell();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_clusters_insert AFTER INSERT ON clusters FOR EACH ROW EXECUTE FUNCTION fleetline_cells_stale();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_clusters_update AFTER UPDATE ON clusters FOR EACH ROW WHEN (old.id IS DISTINCT FROM new.id OR old.labels IS DISTINCT FROM new.labels) EXECUTE FUNCTION fleetline_cells_stale();
--> statement-breakpoint
CREATE TRIGGER compliance_cells_clusters_delete AFTER DELETE ON clusters FOR EACH ROW EXECUTE FUNCTION fleetline_cells_stale();
