-- A responsible adult invites the household's other adult by e-mail; following the link
-- and logging in with that address links their own account to the file. The link's
-- token is kept only as a keyed hash.
CREATE TABLE household_invitations (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT
);
CREATE INDEX household_invitations_household ON household_invitations (household_id);
