-- Accepted events: typed envelope columns, the hot payload fields typed,
-- and the whole payload as JSON. Identifiers are pseudonyms made at the door.
CREATE TABLE events (
    event_id UUID PRIMARY KEY,
    event VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    event_time TIMESTAMPTZ NOT NULL,
    client_time TIMESTAMPTZ,
    sent_at TIMESTAMPTZ,
    received_at TIMESTAMPTZ NOT NULL,
    is_clock_corrected BOOLEAN NOT NULL DEFAULT false,
    pseudonymous_id VARCHAR,
    device_pseudonym VARCHAR,
    account_pseudonym VARCHAR,
    session_id VARCHAR,
    persona VARCHAR NOT NULL DEFAULT 'unknown',
    interface VARCHAR NOT NULL DEFAULT 'unknown',
    page_path VARCHAR,
    referrer_path VARCHAR,
    page_title VARCHAR,
    app_version VARCHAR,
    locale VARCHAR,
    timezone VARCHAR,
    screen VARCHAR,
    browser_family VARCHAR,
    browser_major INTEGER,
    os_family VARCHAR,
    device_class VARCHAR,
    is_bot BOOLEAN NOT NULL DEFAULT false,
    experiments JSON,
    schema_version VARCHAR,
    query VARCHAR,
    query_normalized VARCHAR,
    results_count INTEGER,
    latency_ms DOUBLE,
    item_id VARCHAR,
    position INTEGER,
    outcome VARCHAR,
    reason VARCHAR,
    mode VARCHAR,
    endpoint VARCHAR,
    method VARCHAR,
    status INTEGER,
    duration_ms DOUBLE,
    metric_name VARCHAR,
    metric_value DOUBLE,
    feature VARCHAR,
    message VARCHAR,
    error_type VARCHAR,
    error_fingerprint VARCHAR,
    payload JSON
);

-- Refused events and undecodable bodies, kept with the reason.
CREATE SEQUENCE quarantine_seq;
CREATE TABLE quarantine (
    quarantine_id BIGINT PRIMARY KEY DEFAULT nextval('quarantine_seq'),
    received_at TIMESTAMPTZ NOT NULL,
    reason VARCHAR NOT NULL,
    errors JSON NOT NULL,
    event_index INTEGER,
    event_id VARCHAR,
    body VARCHAR NOT NULL,
    replayed_at TIMESTAMPTZ
);

-- How far the loader has read each spool segment; written in the same
-- transaction as the rows it loaded, which makes a replay store nothing twice.
CREATE TABLE spool_progress (
    segment VARCHAR PRIMARY KEY,
    offset_bytes BIGINT NOT NULL,
    is_finished BOOLEAN NOT NULL DEFAULT false
);
