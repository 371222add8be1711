-- Municipal services (état civil, enfance, voirie ...), to which agents belong.
CREATE TABLE services (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Everyone with an account: residents and staff alike.
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    email_verified_at BIGINT,
    totp_secret TEXT,
    totp_enabled_at BIGINT,
    totp_last_step BIGINT,
    created_at BIGINT NOT NULL,
    last_login_at BIGINT,
    disabled_at BIGINT
);

CREATE TABLE role_grants (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    service_id TEXT REFERENCES services (id),
    granted_at BIGINT NOT NULL,
    granted_by TEXT
);
CREATE UNIQUE INDEX role_grants_unique ON role_grants (user_id, role, COALESCE(service_id, ''));
CREATE INDEX role_grants_service ON role_grants (service_id);

-- Single-use links sent by e-mail; only their hash is stored.
CREATE TABLE account_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Second-factor recovery codes, hashed, each usable once.
CREATE TABLE recovery_codes (
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (user_id, code_hash)
);
