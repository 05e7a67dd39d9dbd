-- A browser user agent, so that clicks count as human ones.
wrk.headers["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
