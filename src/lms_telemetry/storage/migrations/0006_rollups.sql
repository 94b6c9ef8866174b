-- Report rollups: derived from `events` by analytics/rollups.py, never written
-- anywhere else, and rebuilt from scratch whenever they may be out of step.

-- What the rollups were built from: the events' count, highest row id and a
-- sum over their receipt times, to tell appended events from deleted ones.
CREATE TABLE report_rollup_state (
    name VARCHAR PRIMARY KEY,
    events BIGINT NOT NULL,
    max_rowid BIGINT NOT NULL,
    received_sum HUGEINT NOT NULL,
    max_received_at TIMESTAMPTZ,
    refreshed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Small integer codes for pseudonymous ids and session ids.
CREATE TABLE report_pseudonyms (
    pseudonymous_id VARCHAR PRIMARY KEY,
    code BIGINT NOT NULL
);
CREATE TABLE report_session_ids (
    session_id VARCHAR PRIMARY KEY,
    code BIGINT NOT NULL
);

-- Every event that is not a bot's, with the columns reports read and its
-- session under each filter kind. `owner` is the pseudonymous id code for
-- events without session_id (sessions by the 30-minute rule), minus the
-- session id code for events with one, NULL for events with neither.
CREATE TABLE report_events (
    event_id UUID NOT NULL,
    event_time TIMESTAMPTZ NOT NULL,
    event VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    persona VARCHAR NOT NULL,
    interface VARCHAR NOT NULL,
    pid_code BIGINT,
    owner BIGINT,
    item_id VARCHAR,
    outcome VARCHAR,
    feature VARCHAR,
    query_normalized VARCHAR,
    results_count INTEGER,
    latency_ms DOUBLE,
    position INTEGER,
    endpoint VARCHAR,
    method VARCHAR,
    status INTEGER,
    duration_ms DOUBLE,
    metric_name VARCHAR,
    metric_value DOUBLE,
    page_path VARCHAR,
    error_type VARCHAR,
    message VARCHAR,
    error_fingerprint VARCHAR,
    payload JSON,
    load_path VARCHAR,
    load_ms DOUBLE,
    session_key BIGINT,
    persona_session_key BIGINT,
    interface_session_key BIGINT,
    persona_interface_session_key BIGINT
);

-- One row per session and filter kind ('all', 'persona', 'interface',
-- 'both'); persona_part / interface_part hold the filter value of the kind.
CREATE TABLE report_sessions (
    kind VARCHAR NOT NULL,
    persona_part VARCHAR,
    interface_part VARCHAR,
    session_key BIGINT NOT NULL,
    owner BIGINT NOT NULL,
    started_at TIMESTAMPTZ NOT NULL,
    ended_at TIMESTAMPTZ NOT NULL,
    duration_seconds DOUBLE NOT NULL,
    events BIGINT NOT NULL,
    persona VARCHAR NOT NULL,
    borrow_1 TIMESTAMPTZ,
    borrow_2 TIMESTAMPTZ,
    borrow_3 TIMESTAMPTZ
);

-- One row per search and filter kind, judged within its whole session.
CREATE TABLE report_searches (
    kind VARCHAR NOT NULL,
    persona_part VARCHAR,
    interface_part VARCHAR,
    session_key BIGINT,
    owner BIGINT,
    -- The session's span, to tell whether the period holds all of it.
    session_started_at TIMESTAMPTZ NOT NULL,
    session_ended_at TIMESTAMPTZ NOT NULL,
    event_time TIMESTAMPTZ NOT NULL,
    pseudonymous_id BIGINT,
    query_normalized VARCHAR,
    results_count INTEGER,
    latency_ms DOUBLE,
    is_clicked BOOLEAN NOT NULL,
    first_click_position INTEGER,
    is_reformulated BOOLEAN NOT NULL
);

-- Events per 15 minutes (UTC), additive: every IANA zone in use today cuts
-- its days on a quarter hour.
CREATE TABLE report_counts (
    bucket TIMESTAMPTZ NOT NULL,
    category VARCHAR NOT NULL,
    event VARCHAR NOT NULL,
    persona VARCHAR NOT NULL,
    interface VARCHAR NOT NULL,
    is_bot BOOLEAN NOT NULL,
    events BIGINT NOT NULL
);
