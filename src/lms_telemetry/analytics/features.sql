-- Feature use by persona: `feature_used` by its feature, and every
-- user_action event by its name.

-- name: rows
WITH {scoped}
SELECT
    persona,
    CASE WHEN event = 'feature_used' THEN feature ELSE event END AS feature,
    count(*) AS events,
    count(DISTINCT pseudonymous_id) AS pseudonymous_ids
FROM scoped
WHERE (event = 'feature_used' AND feature IS NOT NULL) OR category = 'user_action'
GROUP BY ALL
ORDER BY persona, events DESC, feature
