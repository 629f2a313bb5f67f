-- Up Migration

-- A first load's rollups at less cost (issue #11's write-cost target). The rollup
-- functions are otherwise those of …day-account-fixup-planned-per-call.sql (restated
-- whole: a migration cannot change one statement of a function; the Down Migration
-- restores them). Measured on 500,000 campaign days (psql, PostgreSQL 15, medians of 7).
--
-- - The first rollup rows of campaigns or creatives that have none are inserted as
--   they are. The upsert's conflict check (a speculative insertion per row) was half
--   of the rollup's cost in a first load: 87,000 weekly rows took 275 ms as an upsert,
--   123-157 ms as a plain insert. Only when every parent the statement names is
--   stored, and so locked by its update to itself: every other writer of those
--   parents' days waits for that lock, so none can add their rollup rows before this
--   transaction ends. Any other statement upserts, as before.
-- - Counts are summed by sum_bigint(), bigint to bigint: sum(bigint) accumulates in
--   128 bits and ends in a numeric, which the rollup's bigint column then converts
--   back, for every group (the sums of one COPY: 526 ms with sum(), 425 ms with this).
--   An overflow is an error either way ("bigint out of range").
-- - report_week() finds the Monday by date arithmetic instead of date_trunc on a
--   timestamp (the same day for every date from 4713 BC to 294276 AD, checked; the
--   same error past it): the sums took 411 ms before, 367 ms after.
--
-- The rollup statement of one 500,000-day COPY took 1.23-1.86 s before and
-- 0.87-1.04 s with the first two (auto_explain, alternated).

create aggregate sum_bigint(bigint) (sfunc = int8pl, stype = bigint, combinefunc = int8pl, parallel = safe);

comment on aggregate sum_bigint(bigint) is
    'The sum of bigints as a bigint (sum(bigint) is a numeric): how the rollup triggers add counts.';

create or replace function report_week(day date) returns date
language sql immutable parallel safe
-- The Monday on or before day (2000-01-03 was one), or the first of day's month if later.
return greatest(day - ((day - date '2000-01-03') % 7 + 7) % 7, date_trunc('month', day::timestamp)::date);

create or replace function campaign_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    added constant text := 'select campaign_id, account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads from new_rows';
    removed constant text := 'select campaign_id, account_id, date, -impressions as impressions, -clicks as clicks, -spend as spend, '
                                 '-landing_page_clicks as landing_page_clicks, -conversions as conversions, -leads as leads from old_rows';
    -- The changed rows as deltas: added rows as they are, replaced ones negated (no
    -- arithmetic at all for the usual bulk insert).
    changed constant text := case tg_op when 'INSERT' then added when 'DELETE' then removed
                                        else added || ' union all ' || removed end;
    -- How a campaign rollup adds the sums to a row it already has (%1$s its bucket).
    adding constant text := $a$
            on conflict (campaign_id, %1$s) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads$a$;
    parent_ids bigint[];
    account_ids bigint[];
    -- True when the statement inserts the first days of campaigns that are all stored
    -- (locked below) and have no rollup row yet: their rollup rows are inserted as
    -- they are, without the upsert's conflict check (half of the rollup's cost in a
    -- first load). No other writer can add rows for them before this commits: each
    -- writer of a campaign's days first updates the campaign row, which waits for
    -- this transaction (or, under repeatable read, fails).
    first_rows boolean := false;
begin
    if tg_op <> 'DELETE' then
        -- The distinct (campaign, account) pairs the statement added: a bulk write names a
        -- few thousand campaigns for hundreds of thousands of days. On UPDATE a pair some
        -- old row had was its campaign's already: an update of metrics alone names none.
        if tg_op = 'INSERT' then
            select array_agg(p.campaign_id order by p.campaign_id), array_agg(p.account_id order by p.campaign_id)
            into parent_ids, account_ids
            from (select distinct n.campaign_id, n.account_id from new_rows n) p;
        else
            select array_agg(p.campaign_id order by p.campaign_id), array_agg(p.account_id order by p.campaign_id)
            into parent_ids, account_ids
            from (select distinct n.campaign_id, n.account_id from new_rows n
                  except
                  select distinct o.campaign_id, o.account_id from old_rows o) p;
        end if;
        -- Each campaign named is updated to itself, in id order: a concurrent move of it
        -- and this write now write the same row, which PostgreSQL orders (header).
        -- Before the sums, so that a writer and a move lock in the same order.
        if parent_ids is not null then
            update campaigns c set account_id = c.account_id
            where c.id in (select l.id from campaigns l where l.id = any (parent_ids) order by l.id for no key update);
            first_rows := tg_op = 'INSERT'
                and (select count(*) from campaigns c where c.id = any (parent_ids)) = cardinality(parent_ids)
                and not exists (select from campaign_weekly_metrics w where w.campaign_id = any (parent_ids))
                and not exists (select from campaign_monthly_metrics m where m.campaign_id = any (parent_ids));
        end if;
    end if;

    execute format($sql$
        with changed as (%1$s),
        sums as materialized (
            select grouping(campaign_id, report_week(date)) = 0 as by_week,
                   campaign_id, report_week(date) as week, account_id, date,
                   sum_bigint(impressions) as impressions, sum_bigint(clicks) as clicks, sum(spend) as spend,
                   sum_bigint(landing_page_clicks) as landing_page_clicks, sum_bigint(conversions) as conversions,
                   sum_bigint(leads) as leads
            from changed
            group by grouping sets ((campaign_id, report_week(date)), (account_id, date))
        ),
        weekly as (
            insert into campaign_weekly_metrics as r
                (campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads
            from sums where by_week
            order by 1, 2 %2$s
        ),
        monthly as (
            insert into campaign_monthly_metrics as r
                (campaign_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, date_trunc('month', week::timestamp)::date,
                   sum_bigint(impressions), sum_bigint(clicks), sum(spend), sum_bigint(landing_page_clicks), sum_bigint(conversions), sum_bigint(leads)
            from sums where by_week
            group by 1, 2
            order by 1, 2 %3$s
        )
        insert into account_daily_metrics as r
            (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
        select account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads
        from sums where not by_week and account_id is not null
        order by 1, 2
        on conflict (account_id, date) do update
        set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
            spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
            conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
    $sql$, changed,
       case when first_rows then '' else format(adding, 'week') end,
       case when first_rows then '' else format(adding, 'month') end);
    -- Read after the update above, which waited for any move in progress: the
    -- campaigns' accounts now. Days on another account take their campaign's; days whose
    -- campaign is not stored yet are rewritten without one, which queues their fill at
    -- commit (the deferred trigger). After the sums: the rewrite's own trigger moves
    -- them, and the last sums written say the right account.
    if parent_ids is not null
       and exists (select from unnest(parent_ids, account_ids) p (campaign_id, account_id)
                   left join campaigns c on c.id = p.campaign_id
                   where p.account_id is distinct from c.account_id or c.id is null) then
        -- Planned at each call: a plan kept from a first call of another size would
        -- either scan every stored day for one new row, or probe once per row of many.
        execute 'update campaign_daily_metrics m set account_id = c.account_id
                 from new_rows n left join campaigns c on c.id = n.campaign_id
                 where m.campaign_id = n.campaign_id and m.date = n.date
                   and (m.account_id is distinct from c.account_id or c.id is null)';
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

create or replace function creative_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    added constant text := 'select creative_id, account_id, true as added, date, impressions, clicks, spend, landing_page_clicks, conversions, leads from new_rows';
    removed constant text := 'select creative_id, null::bigint as account_id, false as added, date, -impressions as impressions, -clicks as clicks, -spend as spend, '
                                 '-landing_page_clicks as landing_page_clicks, -conversions as conversions, -leads as leads from old_rows';
    changed constant text := case tg_op when 'INSERT' then added when 'DELETE' then removed
                                        else added || ' union all ' || removed end;
    -- An upsert of one rollup from one set of sums: %1$I the rollup, %2$I its bucket
    -- column, %3$I the sums, %4$s which groups, %5$s the account to keep.
    upsert constant text := $u$
            insert into %1$I as r
                (creative_id, %2$I, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select creative_id, bucket, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads
            from %3$I where %4$s
            order by 1, 2$u$;
    -- How an upsert adds the sums to a row it already has.
    adding constant text := $a$
            on conflict (creative_id, %2$I) do update
            set account_id = %5$s,
                impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads$a$;
    parent_ids text[];
    account_ids bigint[];
    -- As in campaign_daily_metrics_roll_up: the first days of stored creatives that
    -- have no rollup row yet are inserted without the conflict check.
    first_rows boolean := false;
    added_upsert text;
begin
    if tg_op <> 'DELETE' then
        -- The distinct (creative, account) pairs the statement added: a bulk write names a
        -- few thousand creatives for hundreds of thousands of days. On UPDATE a pair some
        -- old row had was its creative's already: an update of metrics alone names none.
        if tg_op = 'INSERT' then
            select array_agg(p.creative_id order by p.creative_id), array_agg(p.account_id order by p.creative_id)
            into parent_ids, account_ids
            from (select distinct n.creative_id, n.account_id from new_rows n) p;
        else
            select array_agg(p.creative_id order by p.creative_id), array_agg(p.account_id order by p.creative_id)
            into parent_ids, account_ids
            from (select distinct n.creative_id, n.account_id from new_rows n
                  except
                  select distinct o.creative_id, o.account_id from old_rows o) p;
        end if;
        -- Each creative named is updated to itself, in id order: a concurrent move of it
        -- and this write now write the same row, which PostgreSQL orders (header).
        -- Before the sums, so that a writer and a move lock in the same order.
        if parent_ids is not null then
            update creatives c set account_id = c.account_id
            where c.id in (select l.id from creatives l where l.id = any (parent_ids) order by l.id for no key update);
            first_rows := tg_op = 'INSERT'
                and (select count(*) from creatives c where c.id = any (parent_ids)) = cardinality(parent_ids)
                and not exists (select from creative_weekly_metrics w where w.creative_id = any (parent_ids))
                and not exists (select from creative_monthly_metrics m where m.creative_id = any (parent_ids));
        end if;
    end if;

    added_upsert := upsert || case when first_rows then '' else adding end;
    execute format($sql$
        with changed as (%s),
        weeks as materialized (
            select creative_id, report_week(date) as bucket, bool_or(added) as added,
                   min(account_id) filter (where added) as account_id,
                   sum_bigint(impressions) as impressions, sum_bigint(clicks) as clicks, sum(spend) as spend,
                   sum_bigint(landing_page_clicks) as landing_page_clicks, sum_bigint(conversions) as conversions, sum_bigint(leads) as leads
            from changed
            group by 1, 2
        ),
        months as materialized (
            select creative_id, date_trunc('month', bucket::timestamp)::date as bucket, bool_or(added) as added,
                   min(account_id) filter (where added) as account_id,
                   sum_bigint(impressions) as impressions, sum_bigint(clicks) as clicks, sum(spend) as spend,
                   sum_bigint(landing_page_clicks) as landing_page_clicks, sum_bigint(conversions) as conversions, sum_bigint(leads) as leads
            from weeks
            group by 1, 2
        ),
        weekly_added as (%s),
        weekly_kept as (%s),
        monthly_added as (%s)
        %s
    $sql$, changed,
       format(added_upsert, 'creative_weekly_metrics', 'week', 'weeks', 'added', 'excluded.account_id'),
       format(upsert || adding, 'creative_weekly_metrics', 'week', 'weeks', 'not added', 'r.account_id'),
       format(added_upsert, 'creative_monthly_metrics', 'month', 'months', 'added', 'excluded.account_id'),
       format(upsert || adding, 'creative_monthly_metrics', 'month', 'months', 'not added', 'r.account_id'));
    -- Read after the update above, which waited for any move in progress: the
    -- creatives' accounts now. Days on another account take their creative's; days whose
    -- creative is not stored yet are rewritten without one, which queues their fill at
    -- commit (the deferred trigger). After the sums: the rewrite's own trigger moves
    -- them, and the last sums written say the right account.
    if parent_ids is not null
       and exists (select from unnest(parent_ids, account_ids) p (creative_id, account_id)
                   left join creatives c on c.id = p.creative_id
                   where p.account_id is distinct from c.account_id or c.id is null) then
        -- Planned at each call: a plan kept from a first call of another size would
        -- either scan every stored day for one new row, or probe once per row of many.
        execute 'update creative_daily_metrics m set account_id = c.account_id
                 from new_rows n left join creatives c on c.id = n.creative_id
                 where m.creative_id = n.creative_id and m.date = n.date
                   and (m.account_id is distinct from c.account_id or c.id is null)';
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

-- Their search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function campaign_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creative_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
end $$;

-- Down Migration

create or replace function campaign_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    added constant text := 'select campaign_id, account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads from new_rows';
    removed constant text := 'select campaign_id, account_id, date, -impressions as impressions, -clicks as clicks, -spend as spend, '
                                 '-landing_page_clicks as landing_page_clicks, -conversions as conversions, -leads as leads from old_rows';
    -- The changed rows as deltas: added rows as they are, replaced ones negated (no
    -- arithmetic at all for the usual bulk insert).
    changed constant text := case tg_op when 'INSERT' then added when 'DELETE' then removed
                                        else added || ' union all ' || removed end;
    parent_ids bigint[];
    account_ids bigint[];
begin
    if tg_op <> 'DELETE' then
        -- The distinct (campaign, account) pairs the statement added: a bulk write names a
        -- few thousand campaigns for hundreds of thousands of days. On UPDATE a pair some
        -- old row had was its campaign's already: an update of metrics alone names none.
        if tg_op = 'INSERT' then
            select array_agg(p.campaign_id order by p.campaign_id), array_agg(p.account_id order by p.campaign_id)
            into parent_ids, account_ids
            from (select distinct n.campaign_id, n.account_id from new_rows n) p;
        else
            select array_agg(p.campaign_id order by p.campaign_id), array_agg(p.account_id order by p.campaign_id)
            into parent_ids, account_ids
            from (select distinct n.campaign_id, n.account_id from new_rows n
                  except
                  select distinct o.campaign_id, o.account_id from old_rows o) p;
        end if;
        -- Each campaign named is updated to itself, in id order: a concurrent move of it
        -- and this write now write the same row, which PostgreSQL orders (header).
        -- Before the sums, so that a writer and a move lock in the same order.
        if parent_ids is not null then
            update campaigns c set account_id = c.account_id
            where c.id in (select l.id from campaigns l where l.id = any (parent_ids) order by l.id for no key update);
        end if;
    end if;

    execute format($sql$
        with changed as (%s),
        sums as materialized (
            select grouping(campaign_id, report_week(date)) = 0 as by_week,
                   campaign_id, report_week(date) as week, account_id, date,
                   sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
                   sum(landing_page_clicks) as landing_page_clicks, sum(conversions) as conversions,
                   sum(leads) as leads
            from changed
            group by grouping sets ((campaign_id, report_week(date)), (account_id, date))
        ),
        weekly as (
            insert into campaign_weekly_metrics as r
                (campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads
            from sums where by_week
            order by 1, 2
            on conflict (campaign_id, week) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        ),
        monthly as (
            insert into campaign_monthly_metrics as r
                (campaign_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, date_trunc('month', week::timestamp)::date,
                   sum(impressions), sum(clicks), sum(spend), sum(landing_page_clicks), sum(conversions), sum(leads)
            from sums where by_week
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, month) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        )
        insert into account_daily_metrics as r
            (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
        select account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads
        from sums where not by_week and account_id is not null
        order by 1, 2
        on conflict (account_id, date) do update
        set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
            spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
            conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
    $sql$, changed);
    -- Read after the update above, which waited for any move in progress: the
    -- campaigns' accounts now. Days on another account take their campaign's; days whose
    -- campaign is not stored yet are rewritten without one, which queues their fill at
    -- commit (the deferred trigger). After the sums: the rewrite's own trigger moves
    -- them, and the last sums written say the right account.
    if parent_ids is not null
       and exists (select from unnest(parent_ids, account_ids) p (campaign_id, account_id)
                   left join campaigns c on c.id = p.campaign_id
                   where p.account_id is distinct from c.account_id or c.id is null) then
        -- Planned at each call: a plan kept from a first call of another size would
        -- either scan every stored day for one new row, or probe once per row of many.
        execute 'update campaign_daily_metrics m set account_id = c.account_id
                 from new_rows n left join campaigns c on c.id = n.campaign_id
                 where m.campaign_id = n.campaign_id and m.date = n.date
                   and (m.account_id is distinct from c.account_id or c.id is null)';
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

create or replace function creative_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    added constant text := 'select creative_id, account_id, true as added, date, impressions, clicks, spend, landing_page_clicks, conversions, leads from new_rows';
    removed constant text := 'select creative_id, null::bigint as account_id, false as added, date, -impressions as impressions, -clicks as clicks, -spend as spend, '
                                 '-landing_page_clicks as landing_page_clicks, -conversions as conversions, -leads as leads from old_rows';
    changed constant text := case tg_op when 'INSERT' then added when 'DELETE' then removed
                                        else added || ' union all ' || removed end;
    -- An upsert of one rollup from one set of sums: %1$I the rollup, %2$I its bucket
    -- column, %3$I the sums, %4$s which groups, %5$s the account to keep.
    upsert constant text := $u$
            insert into %1$I as r
                (creative_id, %2$I, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select creative_id, bucket, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads
            from %3$I where %4$s
            order by 1, 2
            on conflict (creative_id, %2$I) do update
            set account_id = %5$s,
                impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads$u$;
    parent_ids text[];
    account_ids bigint[];
begin
    if tg_op <> 'DELETE' then
        -- The distinct (creative, account) pairs the statement added: a bulk write names a
        -- few thousand creatives for hundreds of thousands of days. On UPDATE a pair some
        -- old row had was its creative's already: an update of metrics alone names none.
        if tg_op = 'INSERT' then
            select array_agg(p.creative_id order by p.creative_id), array_agg(p.account_id order by p.creative_id)
            into parent_ids, account_ids
            from (select distinct n.creative_id, n.account_id from new_rows n) p;
        else
            select array_agg(p.creative_id order by p.creative_id), array_agg(p.account_id order by p.creative_id)
            into parent_ids, account_ids
            from (select distinct n.creative_id, n.account_id from new_rows n
                  except
                  select distinct o.creative_id, o.account_id from old_rows o) p;
        end if;
        -- Each creative named is updated to itself, in id order: a concurrent move of it
        -- and this write now write the same row, which PostgreSQL orders (header).
        -- Before the sums, so that a writer and a move lock in the same order.
        if parent_ids is not null then
            update creatives c set account_id = c.account_id
            where c.id in (select l.id from creatives l where l.id = any (parent_ids) order by l.id for no key update);
        end if;
    end if;

    execute format($sql$
        with changed as (%s),
        weeks as materialized (
            select creative_id, report_week(date) as bucket, bool_or(added) as added,
                   min(account_id) filter (where added) as account_id,
                   sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
                   sum(landing_page_clicks) as landing_page_clicks, sum(conversions) as conversions, sum(leads) as leads
            from changed
            group by 1, 2
        ),
        months as materialized (
            select creative_id, date_trunc('month', bucket::timestamp)::date as bucket, bool_or(added) as added,
                   min(account_id) filter (where added) as account_id,
                   sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
                   sum(landing_page_clicks) as landing_page_clicks, sum(conversions) as conversions, sum(leads) as leads
            from weeks
            group by 1, 2
        ),
        weekly_added as (%s),
        weekly_kept as (%s),
        monthly_added as (%s)
        %s
    $sql$, changed,
       format(upsert, 'creative_weekly_metrics', 'week', 'weeks', 'added', 'excluded.account_id'),
       format(upsert, 'creative_weekly_metrics', 'week', 'weeks', 'not added', 'r.account_id'),
       format(upsert, 'creative_monthly_metrics', 'month', 'months', 'added', 'excluded.account_id'),
       format(upsert, 'creative_monthly_metrics', 'month', 'months', 'not added', 'r.account_id'));
    -- Read after the update above, which waited for any move in progress: the
    -- creatives' accounts now. Days on another account take their creative's; days whose
    -- creative is not stored yet are rewritten without one, which queues their fill at
    -- commit (the deferred trigger). After the sums: the rewrite's own trigger moves
    -- them, and the last sums written say the right account.
    if parent_ids is not null
       and exists (select from unnest(parent_ids, account_ids) p (creative_id, account_id)
                   left join creatives c on c.id = p.creative_id
                   where p.account_id is distinct from c.account_id or c.id is null) then
        -- Planned at each call: a plan kept from a first call of another size would
        -- either scan every stored day for one new row, or probe once per row of many.
        execute 'update creative_daily_metrics m set account_id = c.account_id
                 from new_rows n left join creatives c on c.id = n.creative_id
                 where m.creative_id = n.creative_id and m.date = n.date
                   and (m.account_id is distinct from c.account_id or c.id is null)';
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

-- Their search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function campaign_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
    execute format('alter function creative_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
end $$;

create or replace function report_week(day date) returns date
language sql immutable parallel safe
return greatest(date_trunc('week', day::timestamp), date_trunc('month', day::timestamp))::date;

drop aggregate sum_bigint(bigint);
