-- Search quality: volume, zero results, clicks, reformulations, latency and
-- the queries themselves (normalized, behind the privacy threshold).

-- name: judging
-- Searches and result clicks in session order; each click belongs to the
-- latest search before it (a search and a click at the same instant: the
-- search comes first). Events with no session stand alone.
flow AS (
    SELECT *,
        count(*) FILTER (WHERE event = 'search_submitted') OVER (
            PARTITION BY flow_key
            ORDER BY event_time, event = 'result_clicked', event_id
            ROWS UNBOUNDED PRECEDING) AS search_number
    FROM (
        SELECT *, coalesce(session_key::VARCHAR, event_id::VARCHAR) AS flow_key
        FROM sessioned WHERE event IN ('search_submitted', 'result_clicked'))
),
searches AS (
    SELECT *,
        lead(event_time) OVER (
            PARTITION BY flow_key ORDER BY search_number) AS next_search_at
    FROM flow WHERE event = 'search_submitted'
),
clicks_per_search AS (
    SELECT c.flow_key, c.search_number,
        count(*) AS clicks,
        arg_min(c.position, (c.event_time, c.event_id)) FILTER (
            WHERE c.query_normalized = s.query_normalized) AS first_click_position,
        count(*) FILTER (WHERE c.query_normalized = s.query_normalized) > 0
            AS is_clicked
    FROM flow AS c JOIN searches AS s USING (flow_key, search_number)
    WHERE c.event = 'result_clicked'
    GROUP BY c.flow_key, c.search_number
),
judged AS MATERIALIZED (
    SELECT s.* EXCLUDE (position),
        coalesce(k.is_clicked, false) AS is_clicked,
        k.first_click_position,
        -- A reformulation: the next search within 60 s, with no click between.
        coalesce(s.next_search_at - s.event_time <= INTERVAL 60 SECOND
                 AND coalesce(k.clicks, 0) = 0, false) AS is_reformulated
    FROM searches AS s LEFT JOIN clicks_per_search AS k
        USING (flow_key, search_number)
)

-- name: raw_judged
all_judged AS (
    SELECT query_normalized, results_count, latency_ms, pseudonymous_id,
        is_clicked, first_click_position, is_reformulated
    FROM judged
)

-- name: rolled_up
-- Searches of sessions the period holds whole come judged from the rollup;
-- those of sessions it cuts are judged again on the events inside it.
all_judged AS (
    SELECT query_normalized, results_count, latency_ms, pseudonymous_id,
        is_clicked, first_click_position, is_reformulated
    FROM report_searches WHERE {session_filter} AND {inside_search}
    UNION ALL
    SELECT query_normalized, results_count, latency_ms, pseudonymous_id,
        is_clicked, first_click_position, is_reformulated
    FROM judged
)

-- name: summary
per_query AS (
    SELECT query_normalized AS query,
        count(*) AS searches,
        count(DISTINCT pseudonymous_id) AS pseudonymous_ids,
        count(*) FILTER (WHERE results_count = 0) AS zero_result_searches,
        count(*) FILTER (WHERE is_clicked) AS clicked_searches
    FROM all_judged WHERE query_normalized IS NOT NULL
    GROUP BY query_normalized
),
totals AS (
    SELECT
        count(*) AS searches,
        count(*) FILTER (WHERE results_count = 0) AS zero_result_searches,
        count(*) FILTER (WHERE is_clicked) AS clicked_searches,
        avg(first_click_position) AS mean_click_position,
        count(*) FILTER (WHERE is_reformulated) AS reformulated_searches,
        quantile_cont(latency_ms, [0.5, 0.95, 0.99]) AS latency_quantiles
    FROM all_judged
),
shown AS (
    SELECT * FROM per_query WHERE pseudonymous_ids >= $min_ids
)
SELECT
    totals.*,
    (SELECT count(*) FROM scoped WHERE event = 'suggestion_clicked')
        AS suggestion_clicks,
    (SELECT avg(position) FROM scoped WHERE event = 'suggestion_clicked')
        AS mean_suggestion_position,
    (SELECT list(shown ORDER BY searches DESC, query) FROM (
        SELECT * FROM shown ORDER BY searches DESC, query LIMIT $limit) AS shown)
        AS top_queries,
    (SELECT list(shown ORDER BY searches DESC, query) FROM (
        SELECT * FROM shown WHERE zero_result_searches > 0
        ORDER BY searches DESC, query LIMIT $limit) AS shown)
        AS zero_result_queries,
    (SELECT {'queries': count(*), 'searches': coalesce(sum(searches), 0)}
     FROM per_query WHERE pseudonymous_ids < $min_ids) AS other
FROM totals
