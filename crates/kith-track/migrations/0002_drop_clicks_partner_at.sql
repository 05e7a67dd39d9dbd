-- No query reads clicks by (partner_id, at): reports filter by workspace and
-- program (or a campaign's links, through clicks_link_at), attribution looks
-- a click up by id. Every click paid for the index on the redirect's write
-- path (a b-tree insert and a dirty page per commit).
DROP INDEX clicks_partner_at;
