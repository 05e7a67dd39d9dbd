-- POST /api/v1/track/sale with a new invoice id each time.
-- Env: KITH_KEY (a track key), KITH_PROGRAM (program id), KITH_CODE (promo code).
local key = os.getenv("KITH_KEY")
local program = os.getenv("KITH_PROGRAM")
local code = os.getenv("KITH_CODE")
local run = tostring(os.time()) .. "-" .. tostring(math.random(1000000))
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

request = function()
  n = n + 1
  local body = string.format(
    '{"program_id":"%s","customer_id":"c-%s-%d","invoice_id":"inv-%s-%d","amount_minor":4999,"currency":"USD","code":"%s"}',
    program, run, n, run, n, code)
  wrk.headers["Idempotency-Key"] = "k-" .. run .. "-" .. n
  return wrk.format(nil, "/api/v1/track/sale", nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("non-2xx or socket errors: %d\n",
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
