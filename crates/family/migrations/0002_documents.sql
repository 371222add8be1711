-- Settings of the family files: the service whose staff keep them (check documents,
-- enter quotients). Without it, administrators only.
CREATE TABLE family_settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Family quotients, each from a date. A new one never applies to the past unless an
-- agent decided it (recorded_by and the note say who and why).
CREATE TABLE family_quotients (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    value BIGINT NOT NULL,
    source TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX family_quotients_household ON family_quotients (household_id, effective_from);

-- Supporting documents given once, checked once, reused by every service.
CREATE TABLE supporting_documents (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    child_id TEXT REFERENCES family_people (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    file_id TEXT NOT NULL REFERENCES files (id),
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    -- 'pending', 'accepted' or 'refused' (with its reason).
    status TEXT NOT NULL,
    refusal_reason TEXT NOT NULL,
    uploaded_by TEXT,
    uploaded_at BIGINT NOT NULL,
    checked_by TEXT,
    checked_at BIGINT,
    reminded_at BIGINT
);
CREATE INDEX supporting_documents_household ON supporting_documents (household_id, kind);
CREATE INDEX supporting_documents_status ON supporting_documents (status, uploaded_at);

-- What each family service asks for: « Restaurant scolaire » needs a proof of address…
CREATE TABLE document_requirements (
    service TEXT NOT NULL,
    kind TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (service, kind)
);
