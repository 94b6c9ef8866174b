-- Report rollups, refreshed by rollups.py. Statements run in order in one
-- transaction; `$watermark` is the highest events row id already rolled up.

-- name: state_now
SELECT count(*) AS events, coalesce(max(rowid), -1) AS max_rowid,
    coalesce(sum(epoch_us(received_at)), 0)::HUGEINT AS received_sum,
    max(received_at) AS max_received_at
FROM events

-- name: state_added
SELECT count(*) AS events,
    coalesce(sum(epoch_us(received_at)), 0)::HUGEINT AS received_sum
FROM events WHERE rowid > $watermark

-- name: save_state
INSERT OR REPLACE INTO report_rollup_state
    (name, events, max_rowid, received_sum, max_received_at, refreshed_at)
VALUES ('events', $events, $max_rowid, $received_sum, $max_received_at, now())

-- name: code_pseudonyms
INSERT INTO report_pseudonyms
SELECT pseudonymous_id,
    (SELECT coalesce(max(code), 0) FROM report_pseudonyms)
        + row_number() OVER (ORDER BY pseudonymous_id)
FROM (SELECT DISTINCT pseudonymous_id FROM events
      WHERE rowid > $watermark AND pseudonymous_id IS NOT NULL)
ANTI JOIN report_pseudonyms USING (pseudonymous_id)

-- name: code_session_ids
INSERT INTO report_session_ids
SELECT session_id,
    (SELECT coalesce(max(code), 0) FROM report_session_ids)
        + row_number() OVER (ORDER BY session_id)
FROM (SELECT DISTINCT session_id FROM events
      WHERE rowid > $watermark AND session_id IS NOT NULL)
ANTI JOIN report_session_ids USING (session_id)

-- name: count_added
-- Counts are additive: the buckets new events fall in are summed again with
-- what they held, which keeps one row per bucket and key.
CREATE OR REPLACE TEMP TABLE rollup_counts AS
SELECT to_timestamp(epoch_us(event_time) // 900000000 * 900) AS bucket,
    category, event, persona, interface, is_bot, count(*) AS events
FROM events WHERE rowid > $watermark
GROUP BY ALL;
CREATE OR REPLACE TEMP TABLE rollup_buckets AS
SELECT DISTINCT bucket FROM rollup_counts;
INSERT INTO rollup_counts
SELECT * FROM report_counts WHERE bucket IN (SELECT bucket FROM rollup_buckets);
DELETE FROM report_counts WHERE bucket IN (SELECT bucket FROM rollup_buckets);
INSERT INTO report_counts
SELECT bucket, category, event, persona, interface, is_bot, sum(events)
FROM rollup_counts GROUP BY ALL;
DROP TABLE rollup_counts;
DROP TABLE rollup_buckets;

-- name: stage_added
CREATE OR REPLACE TEMP TABLE rollup_added AS
SELECT e.event_id, e.event_time, e.event, e.category, e.persona, e.interface,
    p.code AS pid_code,
    CASE WHEN e.session_id IS NOT NULL THEN -s.code ELSE p.code END AS owner,
    e.item_id, e.outcome, e.feature, e.query_normalized, e.results_count,
    e.latency_ms, e.position, e.endpoint, e.method, e.status, e.duration_ms,
    e.metric_name, e.metric_value, e.page_path, e.error_type, e.message,
    e.error_fingerprint,
    -- Reports read the payload of errors only, and of page loads the two
    -- fields below.
    CASE WHEN e.event IN ('js_error', 'backend_exception') THEN e.payload END
        AS payload,
    CASE WHEN e.event = 'page_load' THEN {load_path} END AS load_path,
    CASE WHEN e.event = 'page_load' THEN {load_ms} END AS load_ms
FROM events AS e
LEFT JOIN report_pseudonyms AS p USING (pseudonymous_id)
LEFT JOIN report_session_ids AS s USING (session_id)
WHERE e.rowid > $watermark AND NOT e.is_bot

-- name: stage_owners
-- Sessions of these owners may have changed: a late event can join, split
-- or bridge them, so all their events are keyed again.
CREATE OR REPLACE TEMP TABLE rollup_owners AS
SELECT DISTINCT owner FROM rollup_added WHERE owner IS NOT NULL

-- name: stage_keyed
CREATE OR REPLACE TEMP TABLE rollup_keyed AS
WITH staged AS (
    SELECT * EXCLUDE ({key_columns}) FROM report_events
    WHERE owner IN (SELECT owner FROM rollup_owners)
    UNION ALL BY NAME
    SELECT * FROM rollup_added
),
started AS (
    SELECT *, {run_starts} FROM staged
)
SELECT * EXCLUDE ({run_start_columns}), {keys} FROM started

-- name: replace_events
DELETE FROM report_events WHERE owner IN (SELECT owner FROM rollup_owners);
INSERT INTO report_events BY NAME SELECT * FROM rollup_keyed ORDER BY event_time;
DELETE FROM report_sessions WHERE owner IN (SELECT owner FROM rollup_owners);
DELETE FROM report_searches WHERE owner IN (SELECT owner FROM rollup_owners);

-- name: insert_sessions
INSERT INTO report_sessions
WITH sessioned AS (
    SELECT * EXCLUDE ({key_columns}), {key} AS session_key
    FROM rollup_keyed WHERE {key} IS NOT NULL
),
per_session AS (
    SELECT '{kind}' AS kind, {persona_part} AS persona_part,
        {interface_part} AS interface_part, session_key,
        any_value(owner) AS owner, min(event_time) AS started_at,
        max(event_time) AS ended_at,
        epoch(max(event_time) - min(event_time)) AS duration_seconds,
        count(*) AS events,
        coalesce(arg_min(persona, event_time) FILTER (WHERE persona <> 'unknown'),
                 'unknown') AS persona
    FROM sessioned GROUP BY session_key
),
{borrow_chains}
SELECT s.*, b.reached_1, b.reached_2, b.reached_3
FROM per_session AS s LEFT JOIN best AS b USING (session_key)

-- name: insert_searches
INSERT INTO report_searches
WITH sessioned AS (
    SELECT * EXCLUDE ({key_columns}), pid_code AS pseudonymous_id,
        {key} AS session_key
    FROM rollup_keyed WHERE event IN ('search_submitted', 'result_clicked')
),
{judging}
SELECT '{kind}', {persona_part}, {interface_part}, j.session_key, j.owner,
    coalesce(s.started_at, j.event_time), coalesce(s.ended_at, j.event_time),
    j.event_time, j.pseudonymous_id, j.query_normalized, j.results_count,
    j.latency_ms, j.is_clicked, j.first_click_position, j.is_reformulated
FROM judged AS j
LEFT JOIN (SELECT * FROM report_sessions
           WHERE kind = '{kind}' AND owner IN (SELECT owner FROM rollup_owners)) AS s
    ON s.session_key = j.session_key

-- name: drop_staged
DROP TABLE IF EXISTS rollup_added;
DROP TABLE IF EXISTS rollup_owners;
DROP TABLE IF EXISTS rollup_keyed;
