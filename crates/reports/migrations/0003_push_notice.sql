-- An agent may also be told of each new report by a notification on their devices
-- (Web Push, kernel's push_subscriptions). Off until the agent chooses it.
ALTER TABLE report_agent_preferences ADD COLUMN push_new_report BIGINT NOT NULL DEFAULT 0;
