-- Audit entries are never changed nor removed: the database itself refuses it.
CREATE FUNCTION parvis_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'le journal d''audit est en ajout seul';
END;
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION parvis_audit_append_only();
