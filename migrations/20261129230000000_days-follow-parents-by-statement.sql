-- Up Migration

-- Days keep their parent's account by statement-level triggers instead of a
-- composite foreign key, and each rollup is maintained in one pass over the changed
-- rows. Why: the composite key's per-row check cost more than the rest of a bulk
-- write together (docs/benchmarks.md), and the BEFORE row triggers that filled a missing
-- account kept COPY from batching its inserts. The deltas still come from the
-- changed rows alone; what changes is how a day's account_id is kept equal to its
-- parent's. docs/architecture.md ("Why the account rollup is exact") gives the
-- argument; in short:
--
-- * A statement that adds days, or re-keys them to another campaign or account,
--   updates (to itself) each campaign those rows name, in id order, then gives every
--   such row whose account is not its campaign's the campaign's account. The update
--   makes the write conflict with a concurrent move of that campaign as a key update
--   would: a READ COMMITTED writer waits for the move and then reads the moved
--   campaign; a REPEATABLE READ or SERIALIZABLE one gets 40001; and a move that
--   waited for the writer reads its days (READ COMMITTED) or gets 40001.
-- * A statement that inserts campaigns or changes their account gives their days the
--   campaign's account (the rows' own update triggers move the sums).
-- * A day whose campaign is not stored yet (the specification's key is deferred) is
--   left without an account and takes its campaign's at commit.
--
-- The specification's foreign keys (campaign_id → campaigns, creative_id →
-- creatives) stay as they were. A day's account_id is the database's to keep: a
-- writer may leave it out, and a wrong one is replaced rather than refused.

alter table campaign_daily_metrics drop constraint campaign_daily_metrics_campaign_account_fkey;
alter table creative_daily_metrics drop constraint creative_daily_metrics_creative_account_fkey;
drop trigger campaign_daily_metrics_fill_account_insert on campaign_daily_metrics;
drop trigger campaign_daily_metrics_fill_account_update on campaign_daily_metrics;
drop function campaign_daily_metrics_fill_account();
drop trigger creative_daily_metrics_fill_account_insert on creative_daily_metrics;
drop trigger creative_daily_metrics_fill_account_update on creative_daily_metrics;
drop function creative_daily_metrics_fill_account();
drop trigger campaigns_account_to_days on campaigns;
drop function campaigns_account_to_days();
drop trigger creatives_account_to_days on creatives;
drop function creatives_account_to_days();
-- The at-commit fill now runs for the days the statement trigger below marks (their
-- parent was not stored yet), not for every day inserted without an account: a bulk
-- insert without accounts would otherwise run one UPDATE per row at commit.
drop trigger campaign_daily_metrics_account_at_commit on campaign_daily_metrics;
create constraint trigger campaign_daily_metrics_account_at_commit after update on campaign_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function campaign_daily_metrics_account_at_commit();
drop trigger creative_daily_metrics_account_at_commit on creative_daily_metrics;
create constraint trigger creative_daily_metrics_account_at_commit after update on creative_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function creative_daily_metrics_account_at_commit();
-- Only the composite keys needed these.
alter table campaigns drop constraint campaigns_id_account_id_key;
alter table creatives drop constraint creatives_id_account_id_key;

-- Campaign days ----------------------------------------------------------------

-- Inserted campaigns (their days may precede them) and moved ones give their days
-- their account; the days' own update trigger moves the sums.
create function campaigns_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    update campaign_daily_metrics m set account_id = n.account_id
    from new_rows n
    where m.campaign_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create function campaigns_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    -- Most updates move nothing (a day writer's update of its campaigns to themselves
    -- among them). An aggregate over the whole join: a hash join, where EXISTS
    -- would pick a nested loop over the two transition tables.
    if not (select coalesce(bool_or(o.account_id is distinct from n.account_id), false)
            from old_rows o join new_rows n using (id)) then
        return null;
    end if;
    update campaign_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is distinct from n.account_id
      and m.campaign_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create trigger campaigns_account_to_days_insert after insert on campaigns
    referencing new table as new_rows for each statement execute function campaigns_account_to_days();
create trigger campaigns_account_to_days_update after update on campaigns
    referencing old table as old_rows new table as new_rows for each statement execute function campaigns_moved_account_to_days();

-- The trigger of every write of campaign days: the days a statement added (or
-- re-keyed) follow their campaigns, and the rollups take the statement's deltas in
-- one pass over the changed rows: the (campaign, week) and (account, day) sums in one
-- grouping, the months summed from the weeks (a report week never crosses a month:
-- report_week()).
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
        update campaign_daily_metrics m set account_id = c.account_id
        from new_rows n left join campaigns c on c.id = n.campaign_id
        where m.campaign_id = n.campaign_id and m.date = n.date
          and (m.account_id is distinct from c.account_id or c.id is null);
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

-- Creative days ----------------------------------------------------------------

-- Inserted creatives (their days may precede them) and moved ones give their days
-- their account; the days' own update trigger moves the sums.
create function creatives_account_to_days() returns trigger
language plpgsql as $$
begin
    if not exists (select from new_rows) then
        return null;
    end if;
    update creative_daily_metrics m set account_id = n.account_id
    from new_rows n
    where m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create function creatives_moved_account_to_days() returns trigger
language plpgsql as $$
begin
    -- Most updates move nothing (a day writer's update of its creatives to themselves
    -- among them). An aggregate over the whole join: a hash join, where EXISTS
    -- would pick a nested loop over the two transition tables.
    if not (select coalesce(bool_or(o.account_id is distinct from n.account_id), false)
            from old_rows o join new_rows n using (id)) then
        return null;
    end if;
    update creative_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is distinct from n.account_id
      and m.creative_id = n.id and m.account_id is distinct from n.account_id;
    return null;
end
$$;

create trigger creatives_account_to_days_insert after insert on creatives
    referencing new table as new_rows for each statement execute function creatives_account_to_days();
create trigger creatives_account_to_days_update after update on creatives
    referencing old table as old_rows new table as new_rows for each statement execute function creatives_moved_account_to_days();

-- The same for creative days: the (creative, week) sums, the months summed from the
-- weeks. A rollup row says its creative's account as the added rows give it; a group
-- with no added row (days deleted, or replaced by days of another week) keeps the one
-- it has.
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
        update creative_daily_metrics m set account_id = c.account_id
        from new_rows n left join creatives c on c.id = n.creative_id
        where m.creative_id = n.creative_id and m.date = n.date
          and (m.account_id is distinct from c.account_id or c.id is null);
    end if;
    return null;
end
$$ set work_mem = '64MB' set jit = off;

-- The search_path of every function, as …pin-function-search-path.sql sets it.
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_proc p join pg_language l on l.oid = p.prolang
        where p.pronamespace = current_schema()::regnamespace and l.lanname = 'plpgsql'
    loop
        execute format('alter function %s set search_path = %I, pg_temp', f, current_schema());
    end loop;
end $$;

-- Down Migration

drop trigger campaigns_account_to_days_insert on campaigns;
drop trigger campaigns_account_to_days_update on campaigns;
drop function campaigns_account_to_days();
drop function campaigns_moved_account_to_days();
drop trigger creatives_account_to_days_insert on creatives;
drop trigger creatives_account_to_days_update on creatives;
drop function creatives_account_to_days();
drop function creatives_moved_account_to_days();

-- As …campaign-days-carry-account.sql and …creative-days-carry-account.sql left them.
drop trigger campaign_daily_metrics_account_at_commit on campaign_daily_metrics;
create constraint trigger campaign_daily_metrics_account_at_commit after insert or update on campaign_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function campaign_daily_metrics_account_at_commit();
drop trigger creative_daily_metrics_account_at_commit on creative_daily_metrics;
create constraint trigger creative_daily_metrics_account_at_commit after insert or update on creative_daily_metrics
    deferrable initially deferred
    for each row when (new.account_id is null) execute function creative_daily_metrics_account_at_commit();
alter table campaigns add constraint campaigns_id_account_id_key unique (id, account_id);
alter table creatives add constraint creatives_id_account_id_key unique (id, account_id);
alter table campaign_daily_metrics
    add constraint campaign_daily_metrics_campaign_account_fkey
    foreign key (campaign_id, account_id) references campaigns (id, account_id)
    on update cascade deferrable initially deferred;
alter table creative_daily_metrics
    add constraint creative_daily_metrics_creative_account_fkey
    foreign key (creative_id, account_id) references creatives (id, account_id)
    on update cascade deferrable initially deferred;

create function campaign_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    select c.account_id into new.account_id from campaigns c where c.id = new.campaign_id for key share;
    return new;
end
$$;

create trigger campaign_daily_metrics_fill_account_insert before insert on campaign_daily_metrics
    for each row when (new.account_id is null) execute function campaign_daily_metrics_fill_account();
-- A day moved to another campaign without saying its account takes the new campaign's.
create trigger campaign_daily_metrics_fill_account_update before update on campaign_daily_metrics
    for each row when (new.account_id is null
                       or (new.campaign_id is distinct from old.campaign_id and new.account_id is not distinct from old.account_id))
    execute function campaign_daily_metrics_fill_account();

-- A campaign that gets its first account gives it to its days (the foreign key does
-- not cover days without an account).
create function campaigns_account_to_days() returns trigger
language plpgsql as $$
begin
    update campaign_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is null and n.account_id is not null
      and m.campaign_id = n.id and m.account_id is null;
    return null;
end
$$;

create trigger campaigns_account_to_days after update on campaigns
    referencing old table as old_rows new table as new_rows for each statement execute function campaigns_account_to_days();

create or replace function campaign_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        execute format($sql$
            insert into campaign_monthly_metrics as r
                (campaign_id, month, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, date_trunc('month', date::timestamp)::date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, month) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into campaign_weekly_metrics as r
                (campaign_id, week, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select campaign_id, report_week(date),
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            group by 1, 2
            order by 1, 2
            on conflict (campaign_id, week) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
        execute format($sql$
            insert into account_daily_metrics as r
                (account_id, date, impressions, clicks, spend, landing_page_clicks, conversions, leads)
            select account_id, date,
                   %1$s * sum(impressions), %1$s * sum(clicks), %1$s * sum(spend),
                   %1$s * sum(landing_page_clicks), %1$s * sum(conversions), %1$s * sum(leads)
            from %2$I
            where account_id is not null
            group by 1, 2
            order by 1, 2
            on conflict (account_id, date) do update
            set impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
        $sql$, part.sign, part.source);
    end loop;
    return null;
end
$$;

create function creative_daily_metrics_fill_account() returns trigger
language plpgsql as $$
begin
    select c.account_id into new.account_id from creatives c where c.id = new.creative_id for key share;
    return new;
end
$$;

create trigger creative_daily_metrics_fill_account_insert before insert on creative_daily_metrics
    for each row when (new.account_id is null) execute function creative_daily_metrics_fill_account();
-- A day moved to another creative without saying its account takes the new creative's.
create trigger creative_daily_metrics_fill_account_update before update on creative_daily_metrics
    for each row when (new.account_id is null
                       or (new.creative_id is distinct from old.creative_id and new.account_id is not distinct from old.account_id))
    execute function creative_daily_metrics_fill_account();

-- A creative that gets its first account gives it to its days (the foreign key does
-- not cover days without an account).
create function creatives_account_to_days() returns trigger
language plpgsql as $$
begin
    update creative_daily_metrics m set account_id = n.account_id
    from old_rows o join new_rows n using (id)
    where o.account_id is null and n.account_id is not null
      and m.creative_id = n.id and m.account_id is null;
    return null;
end
$$;

create trigger creatives_account_to_days after update on creatives
    referencing old table as old_rows new table as new_rows for each statement execute function creatives_account_to_days();

create or replace function creative_daily_metrics_roll_up() returns trigger
language plpgsql as $$
declare
    part record;
    grain record;
begin
    for part in
        select * from (values ('new_rows', 1), ('old_rows', -1)) as p (source, sign)
        where (p.source = 'new_rows' and tg_op in ('INSERT', 'UPDATE'))
           or (p.source = 'old_rows' and tg_op in ('UPDATE', 'DELETE'))
    loop
        -- Added rows say the creative's account; subtracted ones leave the row's as it is.
        for grain in
            select * from (values ('creative_monthly_metrics', 'month', $e$date_trunc('month', m.date::timestamp)::date$e$),
                                  ('creative_weekly_metrics', 'week', 'report_week(m.date)')) as g (rollup, bucket, expression)
        loop
            execute format($sql$
                insert into %3$I as r
                    (creative_id, %4$I, account_id, impressions, clicks, spend, landing_page_clicks, conversions, leads)
                select m.creative_id, %5$s, min(m.account_id),
                       %1$s * sum(m.impressions), %1$s * sum(m.clicks), %1$s * sum(m.spend),
                       %1$s * sum(m.landing_page_clicks), %1$s * sum(m.conversions), %1$s * sum(m.leads)
                from %2$I m
                group by 1, 2
                order by 1, 2
                on conflict (creative_id, %4$I) do update
                set account_id = %6$s,
                    impressions = r.impressions + excluded.impressions, clicks = r.clicks + excluded.clicks,
                    spend = r.spend + excluded.spend, landing_page_clicks = r.landing_page_clicks + excluded.landing_page_clicks,
                    conversions = r.conversions + excluded.conversions, leads = r.leads + excluded.leads
            $sql$, part.sign, part.source, grain.rollup, grain.bucket, grain.expression,
               case when part.sign > 0 then 'excluded.account_id' else 'r.account_id' end);
        end loop;
    end loop;
    return null;
end
$$;

-- The search_path of every function, as …pin-function-search-path.sql sets it.
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure
        from pg_proc p join pg_language l on l.oid = p.prolang
        where p.pronamespace = current_schema()::regnamespace and l.lanname = 'plpgsql'
    loop
        execute format('alter function %s set search_path = %I, pg_temp', f, current_schema());
    end loop;
end $$;
