-- Up Migration

-- report_range_parts() in PL/pgSQL: the same parts, computed in ~0.2 ms a call instead
-- of ~0.8 ms. The campaigns, creatives, demographics and compare reports ask for a
-- range's parts before their statement (compare twice), and a SQL function whose body
-- is a query plans that query again at every call: 0.83 ms a call against 0.19-0.25 ms
-- (node-postgres, PostgreSQL 15, the bench's database; "select 1" 0.13-0.19 ms), while
-- a PL/pgSQL function keeps its expressions' plans for the session. The demographics
-- report over 90 days took 3.98 ms, 0.87 ms of it asking for the parts
-- (docs/benchmarks.md, "Report benchmark").
--
-- Checked identical to …report-range-parts.sql's definition, which it replaces, for
-- 329,221 ranges: every first day from 2023-12-01 to 2026-02-28, each with every
-- length from 1 to 401 days; and for 4,806 more at the ends of the days a report
-- covers (1970-01-01..2999-12-31, src/reports/names.ts). The rule and its comments are that migration's; the
-- names of the locals are its subqueries' (m, h, t).

create or replace function report_range_parts(
    first_day date, last_day date,
    out head_to date, out head_weeks_from date, out head_weeks_to date,
    out months_from date, out months_to date,
    out tail_weeks_from date, out tail_weeks_to date, out tail_from date)
language plpgsql immutable parallel safe as $$
declare
    -- The whole months: from the first month that starts in the range to the month of
    -- the day after it (none when first_month >= end_month).
    first_month constant date := case when extract(day from first_day) = 1 then first_day
                                      else (date_trunc('month', first_day::timestamp) + interval '1 month')::date end;
    end_month constant date := date_trunc('month', (last_day + 1)::timestamp)::date;
    whole constant boolean := first_month < end_month;
    -- The head's whole weeks: from the first week boundary at or after first_day to
    -- the last one at or before the head's end (the first whole month, else the range's end).
    h_weeks_from constant date := case when report_week(first_day) = first_day then first_day else report_week_end(first_day) end;
    h_weeks_to constant date := report_week(case when whole then first_month else last_day + 1 end);
    h_weeks constant boolean := h_weeks_from < h_weeks_to;
    -- The tail's whole weeks start where the whole months end (a week boundary).
    t_weeks_to constant date := case when whole then report_week(last_day + 1) else end_month end;
    t_weeks constant boolean := end_month < t_weeks_to;
begin
    head_to := case when h_weeks then h_weeks_from - 1 when whole then first_month - 1 else last_day end;
    head_weeks_from := case when h_weeks then h_weeks_from else last_day + 1 end;
    head_weeks_to := case when h_weeks then h_weeks_to else last_day + 1 end;
    months_from := case when whole then first_month else last_day + 1 end;
    months_to := case when whole then end_month else last_day + 1 end;
    tail_weeks_from := case when t_weeks then end_month else last_day + 1 end;
    tail_weeks_to := case when t_weeks then t_weeks_to else last_day + 1 end;
    tail_from := case when t_weeks then t_weeks_to when whole then end_month when h_weeks then h_weeks_to else last_day + 1 end;
end
$$;

-- Its search_path, as …pin-function-search-path.sql sets every PL/pgSQL function's
-- (report_week() and report_week_end() are this schema's).
do $$
begin
    execute format('alter function report_range_parts(date, date) set search_path = %I, pg_temp', current_schema());
end $$;

-- Down Migration

-- …report-range-parts.sql's definition (a SQL-standard body, bound when created).
alter function report_range_parts(date, date) reset search_path;

create or replace function report_range_parts(
    first_day date, last_day date,
    out head_to date, out head_weeks_from date, out head_weeks_to date,
    out months_from date, out months_to date,
    out tail_weeks_from date, out tail_weeks_to date, out tail_from date)
language sql immutable parallel safe
begin atomic
    select case when h.weeks_from < h.weeks_to then h.weeks_from - 1
                when m.whole then m.first_month - 1
                else last_day end,
           case when h.weeks_from < h.weeks_to then h.weeks_from else last_day + 1 end,
           case when h.weeks_from < h.weeks_to then h.weeks_to else last_day + 1 end,
           case when m.whole then m.first_month else last_day + 1 end,
           case when m.whole then m.end_month else last_day + 1 end,
           case when t.weeks_from < t.weeks_to then t.weeks_from else last_day + 1 end,
           case when t.weeks_from < t.weeks_to then t.weeks_to else last_day + 1 end,
           case when t.weeks_from < t.weeks_to then t.weeks_to
                when m.whole then m.end_month
                when h.weeks_from < h.weeks_to then h.weeks_to
                else last_day + 1 end
    from (select b.first_month, b.end_month, b.first_month < b.end_month as whole
          from (select case when extract(day from first_day) = 1 then first_day
                            else (date_trunc('month', first_day::timestamp) + interval '1 month')::date end as first_month,
                       date_trunc('month', (last_day + 1)::timestamp)::date as end_month) b) m
    -- The head's whole weeks: from the first week boundary at or after first_day to
    -- the last one at or before the head's end (the first whole month, else the range's end).
    cross join lateral (
        select case when report_week(first_day) = first_day then first_day else report_week_end(first_day) end as weeks_from,
               report_week(case when m.whole then m.first_month else last_day + 1 end) as weeks_to) h
    -- The tail's whole weeks start where the whole months end (a week boundary).
    cross join lateral (
        select m.end_month as weeks_from,
               case when m.whole then report_week(last_day + 1) else m.end_month end as weeks_to) t;
end;
