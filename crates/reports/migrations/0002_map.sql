-- The public map reads the current reports (open, or resolved lately) of an area: each
-- half of that condition gets an index, so that neither engine walks the closed reports
-- of past years.
CREATE INDEX reports_status_place ON reports (status, lat, lon);
CREATE INDEX reports_status_closed ON reports (status, closed_at);
