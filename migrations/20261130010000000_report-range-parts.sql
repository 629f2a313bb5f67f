-- Up Migration

-- How a report range is read from the rollups, defined once and beside report_week()
-- (the key of the weekly rollups): whole calendar months from the monthly rollups,
-- whole report weeks from the weekly ones, and only the edge days before the first
-- and after the last whole week from the daily tables. The report statements of
-- sql/reports.sql take these parts as parameters; src/reports/reports.ts asks for
-- them first (sql/reports.sql ReportRangeParts), so no other language restates the rule.

create function report_week_end(day date) returns date
language sql immutable parallel safe
return least(date_trunc('week', day::timestamp) + interval '7 days',
             date_trunc('month', day::timestamp) + interval '1 month')::date;

comment on function report_week_end(date) is
    'The day after the report week (report_week()) that holds day: the next Monday or first of a month.';

-- Parts with from >= to are empty. The edge days are first_day..head_to and
-- tail_from..last_day (inclusive); every other part is [from, to). Without a whole
-- month in the range, its whole weeks are the head's and the tail's days follow them.
create function report_range_parts(
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

comment on function report_range_parts(date, date) is
    'A report range first_day..last_day split for the rollups: edge days, whole weeks, whole months, whole weeks, edge days.';

-- Down Migration

drop function report_range_parts(date, date);
drop function report_week_end(date);
