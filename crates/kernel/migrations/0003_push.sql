-- Web Push: the browsers and phones where a person accepted notifications. A browser has
-- one subscription (its endpoint); notifications to it are outbox rows of channel 'push'
-- whose recipient is the subscription's id. The user id carries no foreign key: the
-- kernel's tables are created before the accounts capability's.
CREATE TABLE push_subscriptions (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    endpoint TEXT NOT NULL UNIQUE,
    p256dh TEXT NOT NULL,
    auth TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_success_at BIGINT
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
