-- Up Migration

-- The creatives report reads the weeks and months of a range for a whole account at
-- once (…create-week-rollups.sql); the remaining edge days, at most twelve, were one
-- index probe per creative: 1,650 probes, half of the report's time. With the
-- creative's account on each day and an (account_id, date) index that includes the
-- sums, an account's edge days are one contiguous index range.
--
-- account_id is derived data (the creative's), like the rollups: the write path sets
-- it when it inserts a day; a statement-level trigger fills it for any other writer;
-- a creative stored after its days, or moved to another account, carries its days.
--
-- Cost: the backfill rewrites every row of creative_daily_metrics, and the index
-- build holds a SHARE lock (writes wait) for its length: minutes per 10 million rows
-- on a 2-core machine. Run it when no ingest is running.

alter table creative_daily_metrics add column account_id bigint;

-- The backfill changes no sum: the rollups' update trigger would only add and
-- subtract the same amounts for every row, so it is off for this statement.
alter table creative_daily_metrics disable trigger creative_daily_metrics_roll_up_update;
update creative_daily_metrics m set account_id = c.account_id
from creatives c where c.id = m.creative_id and c.account_id is not null;
alter table creative_daily_metrics enable trigger creative_daily_metrics_roll_up_update;

create index creative_daily_metrics_account_idx on creative_daily_metrics (account_id, date)
    include (creative_id, impressions, clicks, spend, conversions, leads);

-- Days written without their account (plain SQL, COPY) get it from their creative.
-- The write path's own inserts carry it, so for them this finds nothing to do.
create function creative_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    update creative_daily_metrics m set account_id = c.account_id
    from new_rows n
    join creatives c on c.id = n.creative_id
    where n.account_id is null and c.account_id is not null
      and m.creative_id = n.creative_id and m.date = n.date;
    return null;
end
$$;

create trigger creative_daily_metrics_fill_account after insert on creative_daily_metrics
    referencing new table as new_rows for each statement execute function creative_daily_metrics_fill_account();

-- …create-week-rollups.sql's function, plus the days themselves.
create or replace function creatives_account_to_rollups() returns trigger
language plpgsql as $$
begin
    update creative_monthly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_weekly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_daily_metrics m set account_id = n.account_id
    from new_rows n where m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

analyze creative_daily_metrics;

-- Down Migration

create or replace function creatives_account_to_rollups() returns trigger
language plpgsql as $$
begin
    update creative_monthly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    update creative_weekly_metrics r set account_id = n.account_id
    from new_rows n where r.creative_id = n.id and r.account_id is distinct from n.account_id;
    return null;
end
$$;

drop trigger creative_daily_metrics_fill_account on creative_daily_metrics;
drop function creative_daily_metrics_fill_account();
drop index creative_daily_metrics_account_idx;
alter table creative_daily_metrics drop column account_id;
