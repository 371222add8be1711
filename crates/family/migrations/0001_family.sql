-- The family file. People and households are many-to-many: a child of separated parents
-- belongs to both households, each with its own responsible and paying adults.
CREATE TABLE households (
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    address TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Adults and children of the family files. An adult may have an account (user_id).
CREATE TABLE family_people (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    user_id TEXT UNIQUE REFERENCES users (id) ON DELETE SET NULL,
    given_name TEXT NOT NULL,
    family_name TEXT NOT NULL,
    birth_date TEXT,
    phone TEXT NOT NULL,
    email TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE household_members (
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    person_id TEXT NOT NULL REFERENCES family_people (id) ON DELETE CASCADE,
    -- 'responsible' (an adult answering for the household) or 'child'.
    role TEXT NOT NULL,
    -- The adult who pays this household's bills.
    paying BIGINT NOT NULL,
    PRIMARY KEY (household_id, person_id)
);
CREATE INDEX household_members_person ON household_members (person_id);

-- What the school, the canteen and the supervisors need to know of a child. Diet codes
-- are needs (« sans porc »), never a religious label; allergens are the regulation's 14
-- codes, comma-separated, plus free text.
CREATE TABLE child_profiles (
    person_id TEXT PRIMARY KEY REFERENCES family_people (id) ON DELETE CASCADE,
    school TEXT NOT NULL,
    class_name TEXT NOT NULL,
    diet TEXT NOT NULL,
    allergens TEXT NOT NULL,
    allergy_notes TEXT NOT NULL,
    care_plan BIGINT NOT NULL,
    doctor TEXT NOT NULL,
    insurance TEXT NOT NULL
);
CREATE INDEX child_profiles_school ON child_profiles (school);

-- People allowed to pick a child up, and people to call in an emergency.
CREATE TABLE household_contacts (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    relation TEXT NOT NULL,
    phone TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX household_contacts_household ON household_contacts (household_id);
