-- Audit entries never change: an UPDATE is refused by the database itself.
-- (Deleting the oldest entries stays possible for the retention purge; the hash chain
-- reveals any other removal.)
CREATE FUNCTION parvis_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'le journal d''audit est en ajout seul';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION parvis_audit_append_only();
