-- Popular content: views and successful borrows, holds and renewals.

-- name: items
WITH {scoped}
SELECT
    item_id,
    count(*) FILTER (WHERE event = 'item_viewed') AS views,
    count(*) FILTER (WHERE event = 'item_borrowed' AND outcome = 'success') AS borrows,
    count(*) FILTER (WHERE event = 'hold_placed' AND outcome = 'success') AS holds,
    count(*) FILTER (WHERE event = 'item_renewed' AND outcome = 'success') AS renewals
FROM scoped
WHERE item_id IS NOT NULL
  AND (event = 'item_viewed'
       OR (event IN ('item_borrowed', 'hold_placed', 'item_renewed')
           AND outcome = 'success'))
GROUP BY item_id
ORDER BY borrows DESC, views DESC, item_id
LIMIT $limit
