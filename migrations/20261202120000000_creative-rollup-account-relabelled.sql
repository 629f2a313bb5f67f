-- Up Migration

-- The creative rollups' account label, right whatever order one statement's triggers
-- fire in (issue #11). A creative rollup row carries its creative's account as a
-- label, set by the last sums written to it (the account rollup is additive and
-- needs none of this). In one statement that moves a creative and writes its days
-- (a writable CTE: the move in one part, the days in another, either way round), the
-- move's trigger rewrote the days first; the days' own trigger then ran with rows
-- that still carried the old account, labelled the week and month rows with it, and
-- its fix-up found the stored days right and rewrote nothing: the creatives report
-- showed the creative under its old account. Now the fix-up compares the accounts the
-- new rows carried, not only the stored ones, and on UPDATE every pair the new rows
-- carry (an update of metrics alone named none, as if an old row's account had to be
-- the creative's). The rest of the function is as …rollups-cheaper-first-load.sql left
-- it (restated whole; the Down Migration restores that one).

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
    -- Every (creative, account) pair the new rows carry, checked against the creatives
    -- after the sums (on INSERT the same as parent_ids).
    carried_ids text[];
    carried_accounts bigint[];
begin
    if tg_op <> 'DELETE' then
        -- The distinct (creative, account) pairs the statement added, the creatives to
        -- lock: a bulk write names a few thousand creatives for hundreds of thousands of
        -- days. On UPDATE a pair some old row had needs no lock (its writer took it): an
        -- update of metrics alone names none. Whether a pair is stale is checked apart,
        -- after the sums (carried_ids).
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
            -- A pair an old row had may be stale all the same: a statement that also moved
            -- the creative (a writable CTE) updates days that still carry the old account.
            select array_agg(p.creative_id), array_agg(p.account_id)
            into carried_ids, carried_accounts
            from (select distinct n.creative_id, n.account_id from new_rows n) p;
        end if;
        if tg_op = 'INSERT' then
            carried_ids := parent_ids;
            carried_accounts := account_ids;
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
    --
    -- A day whose new row carried another account than its creative's is rewritten even
    -- when the stored day already says the right one: in one statement that moves a
    -- creative and writes its days, the move's rewrite of the days can run before this
    -- trigger, whose sums then labelled the rollup rows with the account the rows carried.
    -- The rewrite's own trigger labels them again, with the creative's account.
    -- Days of a creative not stored yet: an insert rewrites them (without an account) to
    -- queue their fill at commit; an update that left them an account takes it away
    -- (one that left none queued the fill itself), so that the rewrite ends there.
    if carried_ids is not null
       and exists (select from unnest(carried_ids, carried_accounts) p (creative_id, account_id)
                   left join creatives c on c.id = p.creative_id
                   where case when c.id is null then tg_op = 'INSERT' or p.account_id is not null
                              else p.account_id is distinct from c.account_id end) then
        -- Planned at each call: a plan kept from a first call of another size would
        -- either scan every stored day for one new row, or probe once per row of many.
        execute 'update creative_daily_metrics m set account_id = c.account_id
                 from new_rows n left join creatives c on c.id = n.creative_id
                 where m.creative_id = n.creative_id and m.date = n.date
                   and case when c.id is null then $1 or n.account_id is not null or m.account_id is not null
                            else n.account_id is distinct from c.account_id or m.account_id is distinct from c.account_id end'
        using tg_op = 'INSERT';
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

-- Its search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function creative_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
end $$;

-- Down Migration

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

-- Its search_path, as …pin-function-search-path.sql sets every function's.
do $$
begin
    execute format('alter function creative_daily_metrics_roll_up() set search_path = %I, pg_temp', current_schema());
end $$;
