-- Speed and reliability: API endpoints, page loads and Web Vitals.

-- name: performance
WITH {scoped},
endpoint_rows AS (
    SELECT endpoint, method, count(*) AS requests,
        count(*) FILTER (WHERE status >= 500) AS server_errors,
        count(*) FILTER (WHERE status >= 400 AND status < 500) AS client_errors,
        quantile_cont(duration_ms, [0.5, 0.95, 0.99]) AS duration_quantiles
    FROM scoped WHERE event = 'api_request'
    GROUP BY endpoint, method
    ORDER BY requests DESC, endpoint, method
    LIMIT $limit
),
loads AS (
    SELECT {load_path} AS path, {load_ms} AS load_ms
    FROM scoped WHERE event = 'page_load'
),
page_rows AS (
    SELECT path, count(*) AS loads,
        quantile_cont(load_ms, [0.5, 0.95]) AS load_quantiles
    FROM loads
    GROUP BY path
    ORDER BY loads DESC, path
    LIMIT $limit
),
vital_rows AS (
    SELECT metric_name AS name, count(*) AS samples,
        quantile_cont(metric_value, 0.75) AS p75
    FROM scoped WHERE event = 'web_vital' AND metric_value IS NOT NULL
    GROUP BY metric_name
)
SELECT
    (SELECT list(endpoint_rows) FROM endpoint_rows) AS endpoints,
    (SELECT list(page_rows) FROM page_rows) AS pages,
    (SELECT list(vital_rows) FROM vital_rows) AS web_vitals
