-- Audit entries are never changed nor removed: the database itself refuses it.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'le journal d''audit est en ajout seul');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'le journal d''audit est en ajout seul');
END;
