-- Up Migration

-- The seven tables of the LinkedIn Ads store. Table, column, primary-key and
-- foreign-key names are the module specification's (README: "Type mapping");
-- the types are the ones PostgreSQL should hold them in.
--
-- Every foreign key is DEFERRABLE INITIALLY DEFERRED: an ingest writes parents
-- and children in one transaction in whatever order the export lists them, and
-- the references are checked once, at commit.

create table ad_accounts (
    id          bigint primary key,
    name        text,
    status      text,          -- open LinkedIn enum (ACTIVE, CANCELED, …): no CHECK on purpose
    currency    text,
    type        text,
    is_test     boolean,
    created_at  timestamptz,
    fetched_at  timestamptz not null default now()
);

-- "Accounts ordered by name" is the spec's one named query.
create index ad_accounts_name_idx on ad_accounts (name, id);

create table campaigns (
    id                          bigint primary key,
    account_id                  bigint references ad_accounts (id)
                                    deferrable initially deferred,
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
    campaign_group              text,   -- urn:li:sponsoredCampaignGroup:…, kept as sent
    created_at                  timestamptz,
    fetched_at                  timestamptz not null default now()
);

create index campaigns_account_id_idx on campaigns (account_id);

create table creatives (
    id                    text primary key,   -- urn:li:sponsoredCreative:…, the API's own id
    campaign_id           bigint references campaigns (id)
                              deferrable initially deferred,
    account_id            bigint references ad_accounts (id)
                              deferrable initially deferred,
    intended_status       text,
    is_serving            boolean,
    content_reference     text,
    content_name          text,
    -- NULL when LinkedIn omits the field, which it does while the creative serves.
    serving_hold_reasons  text[],
    created_at            timestamptz,
    last_modified_at      timestamptz,
    fetched_at            timestamptz not null default now()
);

create index creatives_campaign_id_idx on creatives (campaign_id);
create index creatives_account_id_idx on creatives (account_id);

-- Daily metrics: one row per entity and UTC day. ctr and cpc are generated
-- from the counts so that they can never disagree with them; a zero
-- denominator gives 0, not NULL or a division error.
create table campaign_daily_metrics (
    campaign_id          bigint not null references campaigns (id)
                             deferrable initially deferred,
    date                 date not null,
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,   -- may be a tiny negative (LinkedIn sends "-2E-18")
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    likes                bigint not null default 0,
    comments             bigint not null default 0,
    shares               bigint not null default 0,
    follows              bigint not null default 0,
    leads                bigint not null default 0,
    opens                bigint not null default 0,
    sends                bigint not null default 0,
    ctr                  double precision not null generated always as
                             (case when impressions > 0 then clicks::double precision / impressions else 0 end) stored,
    cpc                  numeric not null generated always as
                             (case when clicks > 0 then spend / clicks else 0 end) stored,
    fetched_at           timestamptz not null default now(),
    -- The primary key's leading column also serves as the campaign_id foreign-key index.
    primary key (campaign_id, date),
    constraint campaign_daily_metrics_counts_nonnegative check (
        impressions >= 0 and clicks >= 0 and landing_page_clicks >= 0 and conversions >= 0
        and likes >= 0 and comments >= 0 and shares >= 0 and follows >= 0
        and leads >= 0 and opens >= 0 and sends >= 0)
);

create table creative_daily_metrics (
    creative_id          text not null references creatives (id)
                             deferrable initially deferred,
    date                 date not null,
    impressions          bigint not null default 0,
    clicks               bigint not null default 0,
    spend                numeric not null default 0,
    landing_page_clicks  bigint not null default 0,
    conversions          bigint not null default 0,
    likes                bigint not null default 0,
    comments             bigint not null default 0,
    shares               bigint not null default 0,
    follows              bigint not null default 0,
    leads                bigint not null default 0,
    opens                bigint not null default 0,
    sends                bigint not null default 0,
    ctr                  double precision not null generated always as
                             (case when impressions > 0 then clicks::double precision / impressions else 0 end) stored,
    cpc                  numeric not null generated always as
                             (case when clicks > 0 then spend / clicks else 0 end) stored,
    fetched_at           timestamptz not null default now(),
    -- The primary key's leading column also serves as the creative_id foreign-key index.
    primary key (creative_id, date),
    constraint creative_daily_metrics_counts_nonnegative check (
        impressions >= 0 and clicks >= 0 and landing_page_clicks >= 0 and conversions >= 0
        and likes >= 0 and comments >= 0 and shares >= 0 and follows >= 0
        and leads >= 0 and opens >= 0 and sends >= 0)
);

-- Account-level demographic breakdowns (LinkedIn's MEMBER_* pivots).
-- share_pct is the segment's percentage (0–100) of the impressions of its
-- (account_id, pivot_type, date_start) group; the write path recomputes it.
create table audience_demographics (
    account_id   bigint not null references ad_accounts (id)
                     deferrable initially deferred,
    pivot_type   text not null,     -- job_title, seniority, country, …
    segment      text not null,     -- the pivot value as sent: a URN or e.g. SIZE_2_TO_10
    date_start   date not null,
    impressions  bigint not null default 0,
    clicks       bigint not null default 0,
    ctr          double precision not null generated always as
                     (case when impressions > 0 then clicks::double precision / impressions else 0 end) stored,
    share_pct    double precision not null default 0,
    date_end     date,
    fetched_at   timestamptz not null default now(),
    -- The primary key's leading column also serves as the account_id foreign-key index.
    primary key (account_id, pivot_type, segment, date_start),
    constraint audience_demographics_counts_nonnegative check (impressions >= 0 and clicks >= 0),
    constraint audience_demographics_share_pct_range check (share_pct between 0 and 100),
    constraint audience_demographics_period_ordered check (date_end is null or date_end >= date_start)
);

-- A demographics report reads one pivot of one account over a range of periods.
create index audience_demographics_period_idx
    on audience_demographics (account_id, pivot_type, date_start);

create table sync_log (
    id                 bigint generated always as identity primary key,
    account_id         text not null,   -- an account id, or 'all'
    started_at         timestamptz not null default now(),
    finished_at        timestamptz,
    status             text not null,
    trigger            text,
    campaigns_fetched  bigint not null default 0,
    creatives_fetched  bigint not null default 0,
    api_calls_made     bigint not null default 0,
    errors             text,
    constraint sync_log_status_known check (status in ('running', 'success', 'failed')),
    -- A run is finished exactly when it is no longer running.
    constraint sync_log_finished_when_done check ((status = 'running') = (finished_at is null)),
    constraint sync_log_counts_nonnegative check (
        campaigns_fetched >= 0 and creatives_fetched >= 0 and api_calls_made >= 0)
);

-- At most one running sync per account_id value ('all' is a value of its own).
create unique index sync_log_one_running_idx on sync_log (account_id) where status = 'running';
-- The sync history, newest first, overall and per account.
create index sync_log_account_id_idx on sync_log (account_id, id desc);

-- Down Migration

drop table sync_log;
drop table audience_demographics;
drop table creative_daily_metrics;
drop table campaign_daily_metrics;
drop table creatives;
drop table campaigns;
drop table ad_accounts;
