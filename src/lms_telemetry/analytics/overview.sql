-- The overview: how much was recorded, by whom, and day by day.

-- name: overview
WITH {scoped},
{sessioned},
session_starts AS (
    SELECT min(event_time) AS started_at
    FROM sessioned WHERE session_key IS NOT NULL
    GROUP BY session_key
),
daily_events AS (
    SELECT timezone($tz, event_time)::DATE AS day, count(*) AS events
    FROM scoped GROUP BY day
),
-- A session counts on the day it starts, so the days add up to the total.
daily_sessions AS (
    SELECT timezone($tz, started_at)::DATE AS day, count(*) AS sessions
    FROM session_starts GROUP BY day
)
SELECT
    (SELECT count(DISTINCT pseudonymous_id) FROM scoped) AS pseudonymous_ids,
    (SELECT list({'category': category, 'event': event, 'persona': persona,
                  'events': events})
     FROM (SELECT category, event, persona, count(*) AS events
           FROM scoped GROUP BY ALL)) AS counts,
    (SELECT list({'day': day, 'events': coalesce(e.events, 0),
                  'sessions': coalesce(s.sessions, 0)})
     FROM daily_events AS e FULL JOIN daily_sessions AS s USING (day)) AS daily,
    (SELECT count(*) FROM events WHERE {filters} AND is_bot) AS bots_excluded,
    (SELECT count(*) FROM quarantine
     WHERE received_at >= $since AND received_at < $until) AS quarantined
