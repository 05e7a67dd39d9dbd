-- Paces each connection: waits WRK_DELAY_MS between its requests, so the
-- offered load is about connections * 1000 / WRK_DELAY_MS per second.
local delay_ms = tonumber(os.getenv("WRK_DELAY_MS") or "0")
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
function delay()
  return delay_ms
end
