-- Error groups: events of one fingerprint, with their reach and time span.

-- name: groups
WITH {scoped},
{sessioned},
grouped AS (
    SELECT
        error_fingerprint AS fingerprint,
        count(*) AS events,
        count(DISTINCT session_key) AS sessions,
        count(DISTINCT pseudonymous_id) AS pseudonymous_ids,
        min(event_time) AS first_seen,
        max(event_time) AS last_seen,
        -- Every event of a group has the same kind, type and masked message;
        -- the earliest one stands for the group.
        arg_min(event, event_time) AS event,
        arg_min(payload ->> '$.kind', event_time) AS payload_kind,
        arg_min(error_type, event_time) AS error_type,
        arg_min(message, event_time) AS message
    FROM sessioned
    WHERE event IN ('js_error', 'backend_exception')
      -- TODO: events stored before the loader fingerprinted errors have no
      -- fingerprint and are left out; a backfill migration would cover them.
      AND error_fingerprint IS NOT NULL
    GROUP BY error_fingerprint
)
SELECT
    (SELECT list(grouped ORDER BY events DESC, fingerprint) FROM grouped
     WHERE pseudonymous_ids >= $min_ids) AS shown,
    (SELECT {'groups': count(*), 'events': coalesce(sum(events), 0)} FROM grouped
     WHERE pseudonymous_ids < $min_ids) AS folded
