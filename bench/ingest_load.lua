-- wrk script: POST realistic telemetry events with a fresh event_id each time.
-- BATCH_EVENTS (environment) events per request; 0 sends a single envelope.

local batch_events = tonumber(os.getenv("BATCH_EVENTS") or "50")
local names = {
  {"search_submitted", '{"query":"the hobbit","results_count":%d,"latency_ms":%d}'},
  {"item_viewed", '{"item_id":"b%d","position":%d}'},
  {"page_viewed", '{"path":"/catalog/item/%d","load_ms":%d}'},
  {"api_request", '{"endpoint":"/api/items/{id}","method":"GET","status":200,"duration_ms":%d.%d}'},
  {"result_clicked", '{"query":"tolkien","item_id":"b%d","position":%d}'},
}
local counter = 0
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")

-- wrk calls delay() before each request: pacing for a fixed request rate.
function delay()
  return delay_ms
end

local function uuid()
  return string.format("%08x-%04x-4%03x-a%03x-%012x",
    math.random(0, 0xffffffff), math.random(0, 0xffff), math.random(0, 0xfff),
    math.random(0, 0xfff), math.random(0, 0xffffffffffff))
end

local function event()
  counter = counter + 1
  local kind = names[(counter % #names) + 1]
  local payload = string.format(kind[2], math.random(1, 500), math.random(1, 40))
  return string.format(
    '{"event":"%s","event_id":"%s","timestamp":"2026-12-01T10:00:00Z",' ..
    '"anonymous_id":"device-%d","session_id":"session-%d","persona":"patron",' ..
    '"interface":"opac","page":{"path":"/search","title":"Search"},' ..
    '"context":{"app_version":"4.2.0","locale":"en-GB","screen":"1920x1080",' ..
    '"user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"},' ..
    '"payload":%s}',
    kind[1], uuid(), math.random(1, 5000), math.random(1, 20000), payload)
end

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

request = function()
  local body
  if batch_events == 0 then
    body = event()
  else
    local parts = {}
    for i = 1, batch_events do parts[i] = event() end
    body = '{"sent_at":"2026-12-01T10:00:01Z","batch":[' .. table.concat(parts, ",") .. ']}'
  end
  return wrk.format("POST", "/api/telemetry", {["Content-Type"] = "application/json"}, body)
end
