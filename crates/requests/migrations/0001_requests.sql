-- The catalogue of procedures (guide des services). An "information" procedure has no
-- form: it tells residents where to go (a passport appointment, say).
CREATE TABLE procedures (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    theme TEXT NOT NULL,
    summary TEXT NOT NULL,
    description TEXT NOT NULL,
    -- Who may file it, comma-separated: resident, association, business.
    audiences TEXT NOT NULL,
    -- Documents to have at hand, one per line.
    documents TEXT NOT NULL,
    expected_delay TEXT NOT NULL,
    kind TEXT NOT NULL,
    info_url TEXT,
    -- What silence means (acceptance, rejection, none), after which delay, on what basis.
    regime TEXT NOT NULL,
    delay_unit TEXT NOT NULL,
    delay_count BIGINT NOT NULL,
    legal_basis TEXT NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id),
    -- The statuses and moves of this procedure's requests (JSON).
    workflow TEXT NOT NULL,
    -- Shown in the catalogue (1) or being prepared (0).
    listed BIGINT NOT NULL,
    search_text TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX procedures_theme ON procedures (theme);

-- Versions of a procedure's form. A published version never changes: requests point
-- at the version they were filed with. Editing makes a draft; publishing it retires the
-- previous version for new requests only.
CREATE TABLE form_versions (
    id TEXT PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    version BIGINT NOT NULL,
    definition TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT,
    published_at BIGINT
);
CREATE UNIQUE INDEX form_versions_number ON form_versions (procedure_id, version);

-- Routing rules: in order, the first that holds picks the service.
CREATE TABLE routing_rules (
    id TEXT PRIMARY KEY,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    position BIGINT NOT NULL,
    rule TEXT NOT NULL,
    service_id TEXT NOT NULL REFERENCES services (id)
);
CREATE INDEX routing_rules_procedure ON routing_rules (procedure_id, position);

-- The commune's streets and their districts, for routing by address.
CREATE TABLE streets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    district TEXT NOT NULL
);

-- Requests, from draft to decision. A draft has no number yet.
CREATE TABLE requests (
    id TEXT PRIMARY KEY,
    number TEXT UNIQUE,
    procedure_id TEXT NOT NULL REFERENCES procedures (id),
    form_version_id TEXT NOT NULL REFERENCES form_versions (id),
    service_id TEXT NOT NULL REFERENCES services (id),
    assignee_id TEXT REFERENCES users (id),
    status TEXT NOT NULL,
    -- online, counter, phone, letter, email
    channel TEXT NOT NULL,
    -- The applicant: an account, or a contact record for someone without one.
    applicant_id TEXT REFERENCES users (id),
    applicant_name TEXT NOT NULL,
    applicant_email TEXT,
    applicant_phone TEXT,
    applicant_address TEXT,
    answers TEXT NOT NULL,
    -- For a draft: the page the person was on.
    current_page BIGINT NOT NULL,
    -- Lower-cased number, applicant name and answers, for the agents' search.
    search_text TEXT NOT NULL,
    -- The legal regime as it was when the request was received.
    regime TEXT NOT NULL,
    delay_unit TEXT NOT NULL,
    delay_count BIGINT NOT NULL,
    -- Civil dates (YYYY-MM-DD, Europe/Paris): receipt by the commune (entered by the agent
    -- for a letter or a visit), and by the competent authority when forwarded.
    received_on TEXT,
    competent_received_on TEXT,
    incomplete_at_receipt BIGINT NOT NULL,
    complete_on TEXT,
    -- The computed implicit decision (accepted, rejected, suspended, none) and its date,
    -- kept up to date on every change so that the inbox can sort on it.
    deemed_kind TEXT NOT NULL,
    deemed_on TEXT,
    submitted_at BIGINT,
    decided_at BIGINT,
    recorded_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- The inbox: open requests of a service, soonest legal deadline first.
CREATE INDEX requests_inbox ON requests (service_id, decided_at, deemed_on);
CREATE INDEX requests_status ON requests (service_id, status);
CREATE INDEX requests_deadline ON requests (deemed_kind, deemed_on);
CREATE INDEX requests_applicant ON requests (applicant_id, created_at);
CREATE INDEX requests_submitted ON requests (submitted_at);

-- The last number given each year.
CREATE TABLE request_numbers (
    year BIGINT PRIMARY KEY,
    last_value BIGINT NOT NULL
);

-- Requests for missing documents (L114-5): they suspend or delay the legal deadline.
CREATE TABLE request_completions (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    requested_on TEXT NOT NULL,
    answered_on TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX request_completions_request ON request_completions (request_id);

-- Everything that happened to a request, in order. `public` rows are shown to the
-- applicant; the others only to agents.
CREATE TABLE request_events (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_label TEXT NOT NULL,
    kind TEXT NOT NULL,
    from_status TEXT,
    to_status TEXT,
    detail TEXT NOT NULL,
    public BIGINT NOT NULL
);
CREATE INDEX request_events_request ON request_events (request_id, at);

-- The message thread between the applicant and the service.
CREATE TABLE request_messages (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    at BIGINT NOT NULL,
    author_id TEXT,
    author_label TEXT NOT NULL,
    from_staff BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX request_messages_request ON request_messages (request_id, at);

-- Internal notes between agents: never shown to the applicant.
CREATE TABLE request_notes (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    at BIGINT NOT NULL,
    author_id TEXT NOT NULL,
    author_label TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX request_notes_request ON request_notes (request_id, at);

-- Files of a request: answers to file fields, documents added later, decisions.
CREATE TABLE request_documents (
    id TEXT PRIMARY KEY,
    request_id TEXT NOT NULL REFERENCES requests (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    field_key TEXT,
    kind TEXT NOT NULL,
    from_staff BIGINT NOT NULL,
    public BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX request_documents_request ON request_documents (request_id);

-- Reusable answers (réponses types), for one service or for all.
CREATE TABLE canned_replies (
    id TEXT PRIMARY KEY,
    service_id TEXT REFERENCES services (id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The agents' knowledge base.
CREATE TABLE kb_articles (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    search_text TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT
);

-- API tokens issued to agents in the back office; only their hash is kept.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    label TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

-- The acknowledgement of receipt as it was issued (its mentions are frozen at receipt).
CREATE TABLE request_acknowledgements (
    request_id TEXT PRIMARY KEY REFERENCES requests (id),
    content TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
