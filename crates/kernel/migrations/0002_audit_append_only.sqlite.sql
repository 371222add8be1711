-- Audit entries never change: an UPDATE is refused by the database itself.
-- (Deleting the oldest entries stays possible for the retention purge; the hash chain
-- reveals any other removal.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'le journal d''audit est en ajout seul');
END;
