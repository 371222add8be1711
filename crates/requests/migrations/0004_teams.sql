-- A request, and a routing rule, may name a team inside their service (accounts' teams).
ALTER TABLE requests ADD COLUMN team_id TEXT REFERENCES teams (id);
ALTER TABLE routing_rules ADD COLUMN team_id TEXT REFERENCES teams (id);
CREATE INDEX requests_team ON requests (team_id);
