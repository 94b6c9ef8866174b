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

-- name: rolled_up
-- The same figures from the rollups: counts per quarter hour, with the
-- minutes of the period outside whole quarter hours read from events, and
-- sessions whole in the period from the rollup, cut ones from their events.
WITH {scoped},
{cut_sessioned},
days AS (
    SELECT * FROM (VALUES {days}) AS days(day, day_start)
),
counted AS (
    SELECT bucket AS at, category, event, persona, is_bot, events
    FROM report_counts
    WHERE bucket >= $low AND bucket < $high {count_filters}
    UNION ALL
    SELECT event_time, category, event, persona, is_bot, 1
    FROM events
    WHERE ((event_time >= $since AND event_time < $low)
           OR (event_time >= $high AND event_time < $until)) {count_filters}
),
dayed AS (
    SELECT d.day, c.* FROM counted AS c ASOF JOIN days AS d ON c.at >= d.day_start
    WHERE NOT c.is_bot
),
session_starts AS (
    SELECT started_at FROM report_sessions WHERE {session_filter} AND {inside}
    UNION ALL
    SELECT min(event_time) FROM sessioned GROUP BY session_key
),
daily_events AS (
    SELECT day, sum(events)::BIGINT AS events FROM dayed GROUP BY day
),
daily_sessions AS (
    SELECT d.day, count(*) AS sessions
    FROM session_starts AS s ASOF JOIN days AS d ON s.started_at >= d.day_start
    GROUP BY d.day
)
SELECT
    (SELECT count(DISTINCT pseudonymous_id) FROM scoped) AS pseudonymous_ids,
    (SELECT list({'category': category, 'event': event, 'persona': persona,
                  'events': events})
     FROM (SELECT category, event, persona, sum(events)::BIGINT AS events
           FROM dayed GROUP BY ALL)) AS counts,
    (SELECT list({'day': day, 'events': coalesce(e.events, 0),
                  'sessions': coalesce(s.sessions, 0)})
     FROM daily_events AS e FULL JOIN daily_sessions AS s USING (day)) AS daily,
    (SELECT coalesce(sum(events), 0)::BIGINT FROM counted WHERE is_bot)
        AS bots_excluded,
    (SELECT count(*) FROM quarantine
     WHERE received_at >= $since AND received_at < $until) AS quarantined
