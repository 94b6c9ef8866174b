-- Sessions: how many, how long, how many events, per persona.

-- name: per_session
{name} AS (
    SELECT
        epoch(max(event_time) - min(event_time)) AS duration_seconds,
        count(*) AS events,
        -- The session's persona is the first one it shows other than unknown
        -- (a patron often browses before signing in).
        coalesce(arg_min(persona, event_time) FILTER (WHERE persona <> 'unknown'),
                 'unknown') AS persona
    FROM sessioned WHERE session_key IS NOT NULL
    GROUP BY session_key
)

-- name: rolled_up
-- Sessions the period holds whole come from the rollup; those it cuts are
-- measured on their events inside the period.
per_session AS (
    SELECT duration_seconds, events, persona
    FROM report_sessions WHERE {session_filter} AND {inside}
    UNION ALL
    SELECT * FROM cut_sessions
)

-- name: summary
SELECT
    grouping(persona) = 1 AS is_total,
    persona,
    count(*) AS sessions,
    quantile_cont(duration_seconds, [0.5, 0.9]) AS duration_quantiles,
    avg(duration_seconds) AS mean_duration_seconds,
    quantile_cont(events, 0.5) AS median_events,
    avg(events) AS mean_events
FROM per_session
GROUP BY GROUPING SETS ((), (persona))
