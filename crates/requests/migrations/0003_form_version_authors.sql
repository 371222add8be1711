-- Who published a form version, and when and by whom a draft was last changed: the form
-- builder shows each version's history.
ALTER TABLE form_versions ADD COLUMN published_by TEXT;
ALTER TABLE form_versions ADD COLUMN updated_at BIGINT;
ALTER TABLE form_versions ADD COLUMN updated_by TEXT;
