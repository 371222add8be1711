-- Daily activities (a school's canteen, its after-school care, a leisure centre) with their
-- calendar, booking rules and prices, kept as the JSON of the engine's typed values.
CREATE TABLE activities (
    id TEXT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    -- The school whose pupils it serves (the child's school in the family file).
    school TEXT NOT NULL,
    -- The municipal service in charge: its staff see the kitchen counts and registers.
    service_id TEXT REFERENCES services (id) ON DELETE SET NULL,
    unit TEXT NOT NULL,
    capacity BIGINT,
    calendar TEXT NOT NULL,
    rules TEXT NOT NULL,
    pricing TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Places taken per activity and day. Booking the last place is one conditional update of
-- this row, so that two parents at the same instant never both get it.
CREATE TABLE activity_day_counts (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    booked BIGINT NOT NULL,
    PRIMARY KEY (activity_id, day)
);

CREATE TABLE bookings (
    id TEXT PRIMARY KEY,
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    child_id TEXT NOT NULL REFERENCES family_people (id) ON DELETE CASCADE,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    -- 'booked', 'cancelled' (in time, free) or 'cancelled_late' (charged unless excused).
    status TEXT NOT NULL,
    -- The surcharge of a « dernière minute » booking, as JSON; NULL for a normal one.
    late_surcharge TEXT,
    booked_at BIGINT NOT NULL,
    booked_by TEXT,
    cancelled_at BIGINT,
    UNIQUE (activity_id, child_id, day)
);
CREATE INDEX bookings_child_day ON bookings (child_id, day);
CREATE INDEX bookings_activity_day ON bookings (activity_id, day, status);
CREATE INDEX bookings_day ON bookings (day, status);

-- Priced lines of the family account, each with how it was computed.
CREATE TABLE charges (
    id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    child_id TEXT NOT NULL REFERENCES family_people (id) ON DELETE CASCADE,
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    booking_id TEXT REFERENCES bookings (id) ON DELETE SET NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    cents BIGINT NOT NULL,
    explanation TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX charges_household_day ON charges (household_id, day);
CREATE INDEX charges_booking ON charges (booking_id);

-- Who was there: the supervisors' register. Presence feeds the charges (an absence
-- without cancelling, a presence without booking).
CREATE TABLE attendance (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    child_id TEXT NOT NULL REFERENCES family_people (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    present BIGINT NOT NULL,
    -- Why an absence is excused (certificat-medical, greve…): no charge then.
    excuse TEXT,
    recorded_by TEXT,
    recorded_at BIGINT NOT NULL,
    PRIMARY KEY (activity_id, child_id, day)
);

-- Waiting lists of full days: the first in line gets the next place that frees up.
CREATE TABLE waiting_list (
    activity_id TEXT NOT NULL REFERENCES activities (id) ON DELETE CASCADE,
    child_id TEXT NOT NULL REFERENCES family_people (id) ON DELETE CASCADE,
    household_id TEXT NOT NULL REFERENCES households (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT,
    PRIMARY KEY (activity_id, child_id, day)
);
CREATE INDEX waiting_list_day ON waiting_list (activity_id, day, requested_at);
