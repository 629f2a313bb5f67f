-- Up Migration

-- Templates of the staging tables that bulk writes and ingests load with COPY.
-- They are never written: each writing session creates a temporary table of the
-- same name and columns (create temp table … (like … including defaults) on commit
-- drop), and PostgreSQL searches the session's temporary schema before public, so
-- the queries of sql/staged_*.sql read that temporary copy. The templates exist so
-- that pgtyped can type those queries. CHECK (false) makes a write that reached a
-- template by mistake fail instead of leaking rows between sessions; LIKE does not
-- copy CHECK constraints, so the temporary copies accept rows.
--
-- Every staged row carries the line it came from (for error messages and for
-- "later line wins" folding) and a presence mask: bit i set when field i was
-- present in the element (the bit orders are in src/store/staged.ts).

create table staged_ad_accounts (
    line        bigint not null,
    presence    integer not null,
    id          bigint not null,
    name        text,
    status      text,
    currency    text,
    type        text,
    is_test     boolean,
    created_at  timestamptz,
    constraint staged_ad_accounts_template_only check (false)
);

create table staged_campaigns (
    line                        bigint not null,
    presence                    integer not null,
    id                          bigint not null,
    account_id                  bigint,
    name                        text,
    status                      text,
    type                        text,
    daily_budget                numeric,
    daily_budget_currency       text,
    total_budget                numeric,
    cost_type                   text,
    unit_cost                   numeric,
    bid_strategy                text,
    creative_selection          text,
    offsite_delivery_enabled    boolean,
    audience_expansion_enabled  boolean,
    campaign_group              text,
    created_at                  timestamptz,
    constraint staged_campaigns_template_only check (false)
);

create table staged_creatives (
    line                  bigint not null,
    presence              integer not null,
    id                    text not null,
    campaign_id           bigint,
    account_id            bigint,
    intended_status       text,
    is_serving            boolean,
    content_reference     text,
    content_name          text,
    serving_hold_reasons  text[],
    created_at            timestamptz,
    last_modified_at      timestamptz,
    constraint staged_creatives_template_only check (false)
);

create table staged_campaign_daily_metrics (
    line                 bigint not null,
    presence             integer not null,
    campaign_id          bigint not null,
    date                 date not null,
    impressions          bigint,
    clicks               bigint,
    spend                numeric,
    landing_page_clicks  bigint,
    conversions          bigint,
    likes                bigint,
    comments             bigint,
    shares               bigint,
    follows              bigint,
    leads                bigint,
    opens                bigint,
    sends                bigint,
    constraint staged_campaign_daily_metrics_template_only check (false)
);

create table staged_creative_daily_metrics (
    line                 bigint not null,
    presence             integer not null,
    creative_id          text not null,
    date                 date not null,
    impressions          bigint,
    clicks               bigint,
    spend                numeric,
    landing_page_clicks  bigint,
    conversions          bigint,
    likes                bigint,
    comments             bigint,
    shares               bigint,
    follows              bigint,
    leads                bigint,
    opens                bigint,
    sends                bigint,
    constraint staged_creative_daily_metrics_template_only check (false)
);

create table staged_audience_demographics (
    line         bigint not null,
    presence     integer not null,
    account_id   bigint not null,
    pivot_type   text not null,
    segment      text not null,
    date_start   date not null,
    date_end     date,
    impressions  bigint,
    clicks       bigint,
    constraint staged_audience_demographics_template_only check (false)
);

-- Down Migration

drop table staged_audience_demographics;
drop table staged_creative_daily_metrics;
drop table staged_campaign_daily_metrics;
drop table staged_creatives;
drop table staged_campaigns;
drop table staged_ad_accounts;
