-- kith operations schema. One SQL dialect for SQLite and PostgreSQL: TEXT ids,
-- BIGINT numbers (times in Unix milliseconds, money in minor units such as
-- cents, flags as 0/1), so one set of queries serves both backends.
-- Every row carries workspace_id and every query filters on it: that is how
-- one database serves many workspaces without one seeing another's data.

CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    stats_secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE programs (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    attribution_window_days BIGINT NOT NULL,
    holding_days BIGINT NOT NULL,
    fraud_velocity_per_hour BIGINT NOT NULL,
    fraud_max_per_identity BIGINT NOT NULL,
    coupon_leak_sales_per_1k_audience BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (workspace_id, name)
);

CREATE TABLE partner_groups (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, name)
);

CREATE TABLE partners (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    group_id TEXT REFERENCES partner_groups(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    email TEXT,
    email_norm TEXT,
    customer_ref TEXT,
    platform TEXT,
    handle TEXT,
    audience_size BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX partners_program ON partners (program_id);

CREATE TABLE campaigns (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    name TEXT NOT NULL,
    goal TEXT NOT NULL,
    budget_minor BIGINT,
    starts_at BIGINT,
    ends_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE campaign_partners (
    workspace_id TEXT NOT NULL,
    campaign_id TEXT NOT NULL REFERENCES campaigns(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    stage TEXT NOT NULL,
    fee_minor BIGINT,
    commission_terms TEXT,
    deliverables TEXT,
    notes TEXT,
    emv_minor BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (campaign_id, partner_id)
);

CREATE TABLE links (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    campaign_id TEXT REFERENCES campaigns(id),
    slug TEXT NOT NULL UNIQUE,
    destination TEXT NOT NULL,
    utm_source TEXT,
    utm_medium TEXT,
    utm_campaign TEXT,
    utm_content TEXT,
    utm_term TEXT,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX links_partner ON links (partner_id);

CREATE TABLE codes (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    partner_id TEXT NOT NULL REFERENCES partners(id),
    campaign_id TEXT REFERENCES campaigns(id),
    code TEXT NOT NULL,
    kind TEXT NOT NULL,
    single_use BIGINT NOT NULL,
    used_at BIGINT,
    active BIGINT NOT NULL,
    expires_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (program_id, code)
);

CREATE TABLE reward_rules (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    group_id TEXT REFERENCES partner_groups(id),
    side TEXT NOT NULL,
    event TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    percent_bp BIGINT NOT NULL,
    cap_minor BIGINT,
    cap_period TEXT,
    max_recurring_months BIGINT,
    holding_days BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX reward_rules_program ON reward_rules (program_id);

-- Salts of the click identity hash, one per UTC day; older ones are deleted
-- so yesterday's visitors cannot be re-identified.
CREATE TABLE click_salts (
    day BIGINT PRIMARY KEY,
    salt TEXT NOT NULL
);

CREATE TABLE clicks (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    link_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    identity_hash TEXT NOT NULL,
    user_agent TEXT,
    referrer TEXT,
    country TEXT,
    is_bot BIGINT NOT NULL,
    ads_click_id TEXT
);
CREATE INDEX clicks_link_at ON clicks (link_id, at);
CREATE INDEX clicks_partner_at ON clicks (partner_id, at);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL REFERENCES programs(id),
    external_id TEXT NOT NULL,
    email_norm TEXT,
    identity_hash TEXT,
    partner_id TEXT,
    click_id TEXT,
    code_id TEXT,
    campaign_id TEXT,
    bound_by TEXT,
    bound_at BIGINT,
    existing_customer BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (program_id, external_id)
);
CREATE INDEX customers_partner ON customers (partner_id, bound_at);
CREATE INDEX customers_campaign ON customers (campaign_id);

CREATE TABLE leads (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    event_name TEXT NOT NULL,
    partner_id TEXT,
    at BIGINT NOT NULL,
    UNIQUE (customer_id, event_name)
);
CREATE INDEX leads_partner_at ON leads (partner_id, at);

CREATE TABLE sales (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    invoice_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    partner_id TEXT,
    code_id TEXT,
    refunded_minor BIGINT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (program_id, invoice_id)
);
CREATE INDEX sales_partner_at ON sales (partner_id, at);

CREATE TABLE refunds (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    sale_id TEXT NOT NULL REFERENCES sales(id),
    refund_ref TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    at BIGINT NOT NULL,
    UNIQUE (sale_id, refund_ref)
);

-- Inbound events from a payment or shop provider, once each.
CREATE TABLE provider_events (
    program_id TEXT NOT NULL,
    provider TEXT NOT NULL,
    provider_event_id TEXT NOT NULL,
    workspace_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (program_id, provider, provider_event_id)
);

CREATE TABLE payouts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- One commission per (event, rule, side): a retried event cannot pay twice.
CREATE TABLE commissions (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    program_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    customer_id TEXT,
    side TEXT NOT NULL,
    event_kind TEXT NOT NULL,
    event_id TEXT NOT NULL,
    rule_id TEXT NOT NULL,
    amount_minor BIGINT NOT NULL,
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    hold_reasons TEXT,
    evidence TEXT,
    approve_after BIGINT NOT NULL,
    payout_id TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_kind, event_id, rule_id, side)
);
CREATE INDEX commissions_partner ON commissions (partner_id, status);
CREATE INDEX commissions_due ON commissions (status, approve_after);

-- Responses of writes made with an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    route TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, idem_key)
);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    event_types TEXT NOT NULL,
    active BIGINT NOT NULL,
    disabled_reason TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    delivered_at BIGINT,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
