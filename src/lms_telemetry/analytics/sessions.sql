-- Sessions: how many, how long, how many events, per persona.

-- name: sessions
WITH {scoped},
{sessioned},
per_session AS (
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
