-- Problem reports in public space. Coordinates are WGS84 in integer micro-degrees
-- (BIGINT on both engines); instants are UTC microseconds.

-- Categories offered to residents and as Open311 services; a sub-category has a parent.
CREATE TABLE report_categories (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT NOT NULL,
    icon TEXT NOT NULL,
    parent_id TEXT REFERENCES report_categories (id),
    keywords TEXT NOT NULL,
    notice TEXT NOT NULL,
    -- 1: never on the public map nor in public lists (a person in distress...).
    private BIGINT NOT NULL,
    duplicate_radius_m BIGINT NOT NULL,
    -- The extra questions, as JSON (Open311 attributes).
    attributes TEXT NOT NULL,
    position BIGINT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_categories_parent ON report_categories (parent_id, position);

-- Districts as GeoJSON geometries (Polygon or MultiPolygon), with their bounding box so
-- that most points are placed without parsing every polygon.
CREATE TABLE report_districts (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    geometry TEXT NOT NULL,
    min_lat BIGINT NOT NULL,
    min_lon BIGINT NOT NULL,
    max_lat BIGINT NOT NULL,
    max_lon BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Category × district → service and team (or an external body). NULL matches any.
CREATE TABLE report_routing_rules (
    id TEXT PRIMARY KEY,
    position BIGINT NOT NULL,
    category_id TEXT REFERENCES report_categories (id) ON DELETE CASCADE,
    district_id TEXT REFERENCES report_districts (id) ON DELETE CASCADE,
    service_id TEXT NOT NULL REFERENCES services (id),
    team_id TEXT REFERENCES teams (id),
    agency TEXT NOT NULL
);
CREATE INDEX report_routing_rules_position ON report_routing_rules (position);

-- The commune's streets with a point each: the offline fallback of address search.
CREATE TABLE report_streets (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    normalised TEXT NOT NULL,
    postcode TEXT NOT NULL,
    lat BIGINT NOT NULL,
    lon BIGINT NOT NULL
);
CREATE INDEX report_streets_normalised ON report_streets (normalised);

-- Clients of the Open311 API (another app, a city dashboard): the key is shown once and
-- stored as its SHA-256.
CREATE TABLE open311_clients (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    contact TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

-- One report. An anonymous report holds no personal data: no name, no address of the
-- author, no IP; author_email only when the author asked to be told by e-mail.
CREATE TABLE reports (
    id TEXT PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    category_id TEXT NOT NULL REFERENCES report_categories (id),
    status TEXT NOT NULL,
    lat BIGINT NOT NULL,
    lon BIGINT NOT NULL,
    address TEXT NOT NULL,
    district_id TEXT REFERENCES report_districts (id),
    description TEXT NOT NULL,
    answers TEXT NOT NULL,
    -- Reference, address and description normalised (lower case, no accents) by the
    -- application, so that search finds « école » in « École » on both engines.
    search_text TEXT NOT NULL,
    service_id TEXT REFERENCES services (id),
    team_id TEXT REFERENCES teams (id),
    agency TEXT NOT NULL,
    author_user_id TEXT REFERENCES users (id),
    author_email TEXT,
    -- SHA-256 of the tracking link's token: the link is the only key of an anonymous
    -- report.
    tracking_hash TEXT NOT NULL UNIQUE,
    -- Open311 token (the spec's `token`), public, random.
    open311_token TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    api_client_id TEXT REFERENCES open311_clients (id),
    description_hidden BIGINT NOT NULL,
    planned_on TEXT,
    status_note TEXT NOT NULL,
    merged_into TEXT REFERENCES reports (id),
    me_too_count BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    acknowledged_at BIGINT,
    closed_at BIGINT
);
CREATE INDEX reports_created ON reports (created_at);
CREATE INDEX reports_place ON reports (lat, lon);
CREATE INDEX reports_category_place ON reports (category_id, lat, lon);
CREATE INDEX reports_service_status ON reports (service_id, status, created_at);
CREATE INDEX reports_team_status ON reports (team_id, status);
CREATE INDEX reports_author ON reports (author_user_id);
CREATE INDEX reports_status_updated ON reports (status, updated_at);

-- The history of a report: status changes with their public message, messages, internal
-- notes, re-routing, merges, moderation.
CREATE TABLE report_updates (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    kind TEXT NOT NULL,
    status TEXT,
    message TEXT NOT NULL,
    public BIGINT NOT NULL,
    hidden BIGINT NOT NULL,
    agent_id TEXT REFERENCES users (id),
    agent_name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_updates_report ON report_updates (report_id, created_at);

-- Photos, re-encoded and stripped of every metadata before they are stored (encrypted).
CREATE TABLE report_photos (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    update_id TEXT REFERENCES report_updates (id),
    file_id TEXT NOT NULL REFERENCES files (id),
    width BIGINT NOT NULL,
    height BIGINT NOT NULL,
    hidden BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_photos_report ON report_photos (report_id);

-- Who is told of a report's progress: its author, the people who said "me too", residents
-- who follow it. A subscriber without an account has a tracking link of their own; the
-- e-mail is kept only when given.
CREATE TABLE report_subscriptions (
    id TEXT PRIMARY KEY,
    report_id TEXT NOT NULL REFERENCES reports (id),
    user_id TEXT REFERENCES users (id),
    email TEXT,
    tracking_hash TEXT UNIQUE,
    created_at BIGINT NOT NULL
);
CREATE INDEX report_subscriptions_report ON report_subscriptions (report_id);
CREATE INDEX report_subscriptions_user ON report_subscriptions (user_id);

-- How each agent wants to hear of new reports for their teams: `each` (an e-mail per
-- report), `none` (the live inbox only).
CREATE TABLE report_agent_preferences (
    user_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    new_report TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The yearly counter behind references (S-2026-00042).
CREATE TABLE report_sequences (
    year BIGINT PRIMARY KEY,
    last BIGINT NOT NULL
);
