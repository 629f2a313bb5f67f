/* Queries of audience_demographics: account-level breakdowns by one MEMBER_*
   pivot per period. share_pct is derived, so writes recompute it per group. */

/* Periods of one pivot of an account whose date_start falls in the range. */
/* @name ListAudienceDemographics */
select account_id, pivot_type, segment, date_start, date_end, impressions, clicks, ctr, share_pct,
       fetched_at
from audience_demographics
where account_id = :accountId!
  and pivot_type = :pivotType!
  and date_start between :from!::date and :to!::date
order by date_start, impressions desc, segment;

/* Replaces each (account_id, pivot_type, segment, date_start) row with the
   batch's values; each key once per batch, sorted so concurrent writers lock
   rows in one order; unchanged rows are left alone. share_pct is not written
   here: RecomputeSharePct derives it for the touched groups afterwards. */
/* @name UpsertAudienceDemographics */
with written as (
    insert into audience_demographics as t
        (account_id, pivot_type, segment, date_start, date_end, impressions, clicks)
    select s.account_id, s.pivot_type, s.segment, s.date_start, s.date_end, s.impressions, s.clicks
    from unnest(:accountIds!::bigint[], :pivotTypes!::text[], :segments!::text[],
                :dateStarts!::date[], :dateEnds!::date[], :impressions!::bigint[], :clicks!::bigint[])
             as s (account_id, pivot_type, segment, date_start, date_end, impressions, clicks)
    order by s.account_id, s.pivot_type, s.segment, s.date_start
    on conflict (account_id, pivot_type, segment, date_start) do update
    set date_end    = excluded.date_end,
        impressions = excluded.impressions,
        clicks      = excluded.clicks,
        fetched_at  = now()
    where (t.date_end, t.impressions, t.clicks)
          is distinct from (excluded.date_end, excluded.impressions, excluded.clicks)
    returning (xmax = 0) as inserted
)
select count(*) filter (where inserted) as "inserted!",
       count(*) filter (where not inserted) as "updated!"
from written;

/* Sets share_pct, each segment's percentage of its group's impressions, for the
   (account_id, pivot_type, date_start) groups given; 0 in a group without
   impressions. Only rows whose share changes are written. */
/* @name RecomputeSharePct */
with written as (
    update audience_demographics as t
    set share_pct = g.share_pct
    from (select d.account_id, d.pivot_type, d.segment, d.date_start,
                 case when sum(d.impressions) over w > 0
                      then d.impressions * 100.0 / sum(d.impressions) over w
                      else 0 end::double precision as share_pct
          from audience_demographics d
          join (select distinct account_id, pivot_type, date_start
                from unnest(:accountIds!::bigint[], :pivotTypes!::text[], :dateStarts!::date[])
                         as u (account_id, pivot_type, date_start)) groups
            using (account_id, pivot_type, date_start)
          window w as (partition by d.account_id, d.pivot_type, d.date_start)) g
    where (t.account_id, t.pivot_type, t.segment, t.date_start)
          = (g.account_id, g.pivot_type, g.segment, g.date_start)
      and t.share_pct is distinct from g.share_pct
    returning 1
)
select count(*) as "updated!"
from written;
