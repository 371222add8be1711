-- A canteen's menus, day by day, as its kitchen publishes them. Families must be told the
-- regulated allergens of what is served (Regulation (EU) 1169/2011, art. 44; décret
-- 2015-447): `allergens` holds their codes, comma-separated. `vegetarian` marks the
-- weekly vegetarian menu (Code rural L230-5-6).
CREATE TABLE menus (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    starter TEXT NOT NULL,
    main TEXT NOT NULL,
    -- The dish served instead to children whose diet has no meat (« sans viande »,
    -- « végétarien ») or no pork, when the main dish has some.
    alternative TEXT NOT NULL,
    side TEXT NOT NULL,
    dairy TEXT NOT NULL,
    dessert TEXT NOT NULL,
    vegetarian BIGINT NOT NULL,
    allergens TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT,
    PRIMARY KEY (activity_id, day)
);
