-- Funnels: how many sessions reach each step, in order. The statements below
-- are pieces; funnels.py puts one funnel's steps together from them.

-- name: marked
marked AS MATERIALIZED (
    SELECT session_key, event_time, {step_flags}
    FROM sessioned
    WHERE session_key IS NOT NULL AND event IN ({event_names})
)

-- name: first_step_earliest
-- Without a window, the session's first step-1 event starts the chain that
-- reaches furthest, so it is the only start worth following.
step_1 AS (
    SELECT session_key, min(event_time) AS started_at, min(event_time) AS reached_at
    FROM marked WHERE is_step_1
    GROUP BY session_key
)

-- name: first_step_each
step_1 AS (
    SELECT DISTINCT session_key, event_time AS started_at, event_time AS reached_at
    FROM marked WHERE is_step_1
)

-- name: next_step
-- The step's earliest event after the previous step (at the same instant
-- only when it is not itself a previous-step event).
step_{n} AS (
    SELECT m.session_key, p.started_at, min(m.event_time) AS reached_at
    FROM marked AS m JOIN step_{previous} AS p USING (session_key)
    WHERE m.is_step_{n}
      AND (m.event_time > p.reached_at
           OR (m.event_time = p.reached_at AND NOT m.is_step_{previous}))
      AND ($window_minutes IS NULL
           OR m.event_time <= p.started_at
               + to_microseconds(CAST($window_minutes * 60e6 AS BIGINT)))
    GROUP BY m.session_key, p.started_at
)

-- name: best
-- Per session, the start whose chain reaches furthest (the earliest of ties).
chains AS (
    SELECT session_key, {reached_columns}
    FROM step_1 {step_joins}
),
best AS (
    SELECT * FROM chains
    QUALIFY row_number() OVER (
        PARTITION BY session_key ORDER BY {depth} DESC, reached_1) = 1
)

-- name: rolled_up
-- Sessions the period holds whole come with their borrow chain from the
-- rollup; those it cuts are followed again on the events inside it.
all_best AS (
    SELECT reached_1, reached_2, reached_3 FROM best
    UNION ALL
    SELECT borrow_1, borrow_2, borrow_3 FROM report_sessions
    WHERE {session_filter} AND {inside} AND borrow_1 IS NOT NULL
)
