-- Server-side sessions, shared by every instance.
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id TEXT,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only audit log; each row's hash covers the previous row's hash.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    acting_for_id TEXT,
    acting_for_label TEXT,
    action TEXT NOT NULL,
    target_type TEXT,
    target_id TEXT,
    ip TEXT,
    details TEXT NOT NULL,
    -- Lower-cased names of the actor and of the person acted for, for searching
    -- (SQLite's LOWER only knows ASCII).
    search_text TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id);
CREATE INDEX audit_log_target ON audit_log (target_id);

-- Every outgoing message is a row first; a worker sends it, with retries.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    channel TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);

-- Background jobs, enqueued in the same transaction as the change that causes them.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL,
    locked_until BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (status, run_at);

-- Recurring jobs: whoever moves next_run_at forward first runs the job, once.
CREATE TABLE scheduled_jobs (
    name TEXT PRIMARY KEY,
    schedule TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    last_run_at BIGINT,
    last_status TEXT
);

-- Fixed-window counters for rate limits that must hold across instances (login).
-- Keys are keyed hashes: no e-mail address or IP address is stored in clear.
CREATE TABLE rate_limits (
    key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    hits BIGINT NOT NULL
);

-- Files in storage. A file's object is written before this row is committed, so an
-- object without a row is an orphan that the sweeper removes.
CREATE TABLE files (
    id TEXT PRIMARY KEY,
    storage_key TEXT NOT NULL UNIQUE,
    content_type TEXT NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    original_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
