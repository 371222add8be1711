-- Knowledge-base sheets linked to a request by an agent, so that colleagues who open the
-- request find the sheet that explains how to handle it.
CREATE TABLE request_articles (
    request_id TEXT NOT NULL REFERENCES requests (id),
    article_id TEXT NOT NULL REFERENCES kb_articles (id),
    linked_at BIGINT NOT NULL,
    linked_by TEXT NOT NULL,
    PRIMARY KEY (request_id, article_id)
);
