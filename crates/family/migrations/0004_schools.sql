-- The commune's schools, as families choose them for a child and activities serve them.
-- A child's school and an activity's school are this name: one spelling for both, so a
-- family never misses its school's canteen over a hyphen. Files opened before the list
-- existed bring their schools into it.
CREATE TABLE schools (
    name TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO schools (name, address, created_at)
    SELECT DISTINCT school, '', 0 FROM child_profiles WHERE school <> '';
