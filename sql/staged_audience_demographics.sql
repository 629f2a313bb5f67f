/* Staged writes into audience_demographics: fold repeated keys, then merge. The staged_audience_demographics
   table these read is the session's temporary copy (migrations/…create-staging-templates.sql). */

/* Folds the lines that repeat a key into one row, in line order: for each
   field, the last line where it is present wins; the folded row keeps the last
   line number. Keys that occur once (the usual case) are not touched. */
/* @name FoldStagedAudienceDemographics */
with repeated as (
    select account_id, pivot_type, segment, date_start
    from staged_audience_demographics
    group by account_id, pivot_type, segment, date_start
    having count(*) > 1
),
folded as (
    select s.account_id, s.pivot_type, s.segment, s.date_start, max(s.line) as line, bit_or(s.presence) as presence,
           (array_agg(s.impressions order by s.line desc) filter (where s.presence & 1 <> 0))[1] as impressions,
           (array_agg(s.clicks order by s.line desc) filter (where s.presence & 2 <> 0))[1] as clicks,
           (array_agg(s.date_end order by s.line desc))[1] as date_end
    from staged_audience_demographics s
    join repeated using (account_id, pivot_type, segment, date_start)
    group by s.account_id, s.pivot_type, s.segment, s.date_start
),
removed as (
    delete from staged_audience_demographics s
    using repeated r
    where s.account_id = r.account_id and s.pivot_type = r.pivot_type and s.segment = r.segment and s.date_start = r.date_start
)
insert into staged_audience_demographics (line, presence, account_id, pivot_type, segment,
                                         date_start, date_end, impressions, clicks)
select line, presence, account_id, pivot_type, segment, date_start, date_end, impressions,
       clicks
from folded;

/* Drops the staged rows whose stored row already holds the same values, so that
   re-sending known data writes nothing at all: no row version, no row lock, no WAL.
   A metric absent from every line of a key is 0 (the column default). */
/* @name DiscardUnchangedStagedAudienceDemographics */
delete from staged_audience_demographics s
using audience_demographics t
where t.account_id = s.account_id and t.pivot_type = s.pivot_type and t.segment = s.segment and t.date_start = s.date_start
  and (t.date_end, t.impressions, t.clicks)
      is not distinct from
      (s.date_end, coalesce(s.impressions, 0), coalesce(s.clicks, 0));

/* Replaces the stored rows of the staged keys (LinkedIn restates recent days). */
/* @name UpdateFromStagedAudienceDemographics */
with written as (
    update audience_demographics as t
    set date_end    = s.date_end,
        impressions = coalesce(s.impressions, 0),
        clicks      = coalesce(s.clicks, 0),
        fetched_at  = now()
    from staged_audience_demographics s
    where t.account_id = s.account_id and t.pivot_type = s.pivot_type and t.segment = s.segment and t.date_start = s.date_start
    returning 1
)
select count(*) as "updated!"
from written;

/* Inserts the staged keys not stored yet, in key order. Runs under the ingest's
   account locks, so no ON CONFLICT is needed; a writer that ignores those locks
   makes this fail (23505), never silently lose a row. */
/* @name InsertStagedAudienceDemographics */
with written as (
    insert into audience_demographics (account_id, pivot_type, segment, date_start, date_end,
                                       impressions, clicks)
    select s.account_id, s.pivot_type, s.segment, s.date_start, s.date_end,
           coalesce(s.impressions, 0), coalesce(s.clicks, 0)
    from staged_audience_demographics s
    where not exists (select 1 from audience_demographics t
                      where t.account_id = s.account_id
                        and t.pivot_type = s.pivot_type
                        and t.segment = s.segment
                        and t.date_start = s.date_start)
    order by s.account_id, s.pivot_type, s.segment, s.date_start
    returning 1
)
select count(*) as "inserted!"
from written;
