/* The reports: one statement each, over an inclusive date range from..to.
   ctr = clicks / impressions and cpc = spend / clicks are computed from the
   range's sums (never an average of daily ratios), 0 when the denominator is 0.
   Counts are summed as bigint, money as numeric (exact). Rows with no data in
   the range are kept with zeros.

   Ranges are read from the rollups (migrations/…rollups.sql): whole calendar
   months from the monthly ones, whole weeks (report_week(): Monday-first weeks
   clipped to their month) from the weekly ones, and only the days before the first
   and after the last whole week (from..headTo, tailFrom..to) from the daily tables.
   The parts come from report_range_parts() (ReportRangeParts below, asked first by
   src/reports/reports.ts), the one definition of the split. Each part
   starts with a test of its bounds alone, which the planner evaluates once: an
   empty part costs no index probe at all. */

/* A range's parts as the statements below read them: edge days, whole weeks, whole
   months, whole weeks, edge days (migrations/…report-range-parts.sql). */
/* @name ReportRangeParts */
select head_to as "headTo!", head_weeks_from as "headWeeksFrom!", head_weeks_to as "headWeeksTo!",
       months_from as "monthsFrom!", months_to as "monthsTo!",
       tail_weeks_from as "tailWeeksFrom!", tail_weeks_to as "tailWeeksTo!", tail_from as "tailFrom!"
from report_range_parts(:from!::date, :to!::date);

/* One row per account (every account), ordered by spend descending, then id. */
/* @name AccountsReport */
select a.id as "account_id!", a.name, a.currency, a.status,
       coalesce(s.impressions, 0)::bigint as "impressions!",
       coalesce(s.clicks, 0)::bigint as "clicks!",
       coalesce(s.spend, 0) as "spend!",
       coalesce(s.conversions, 0)::bigint as "conversions!",
       coalesce(s.leads, 0)::bigint as "leads!",
       case when s.impressions > 0 then s.clicks::double precision / s.impressions else 0 end as "ctr!",
       case when s.clicks > 0 then (s.spend / s.clicks)::double precision else 0 end as "cpc!"
from ad_accounts a
-- Each account's days by its own index range (account_id, date): no scan of the
-- whole rollup, whatever the share of accounts and days the range covers.
cross join lateral (
    select sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
           sum(conversions) as conversions, sum(leads) as leads
    from account_daily_metrics
    where account_id = a.id and date between :from!::date and :to!::date) s
order by "spend!" desc, a.id;

/* One row per campaign of the account, ordered by spend descending, then id.
   Each campaign's sums come from index range scans of its own rows (LATERAL):
   the planner otherwise hashes the whole monthly rollup. The range is split like
   the creatives' (report_range_parts()): edge days, weeks, months, weeks, edge days
   (campaign_weekly_metrics: migrations/…campaign-week-rollups.sql). */
/* @name CampaignsReport */
select c.id as "campaign_id!", c.name, c.status, c.type, c.campaign_group,
       coalesce(s.impressions, 0)::bigint as "impressions!",
       coalesce(s.clicks, 0)::bigint as "clicks!",
       coalesce(s.spend, 0) as "spend!",
       coalesce(s.landing_page_clicks, 0)::bigint as "landing_page_clicks!",
       coalesce(s.conversions, 0)::bigint as "conversions!",
       coalesce(s.leads, 0)::bigint as "leads!",
       case when s.impressions > 0 then s.clicks::double precision / s.impressions else 0 end as "ctr!",
       case when s.clicks > 0 then (s.spend / s.clicks)::double precision else 0 end as "cpc!"
from campaigns c
cross join lateral (
    select sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
           sum(landing_page_clicks) as landing_page_clicks, sum(conversions) as conversions, sum(leads) as leads
    from (select m.impressions, m.clicks, m.spend, m.landing_page_clicks, m.conversions, m.leads
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :from!::date <= :headTo!::date and m.date between :from!::date and :headTo!::date
          union all
          select w.impressions, w.clicks, w.spend, w.landing_page_clicks, w.conversions, w.leads
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :headWeeksFrom!::date < :headWeeksTo!::date and w.week >= :headWeeksFrom!::date and w.week < :headWeeksTo!::date
          union all
          select r.impressions, r.clicks, r.spend, r.landing_page_clicks, r.conversions, r.leads
          from campaign_monthly_metrics r
          where r.campaign_id = c.id and :monthsFrom!::date < :monthsTo!::date and r.month >= :monthsFrom!::date and r.month < :monthsTo!::date
          union all
          select w.impressions, w.clicks, w.spend, w.landing_page_clicks, w.conversions, w.leads
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :tailWeeksFrom!::date < :tailWeeksTo!::date and w.week >= :tailWeeksFrom!::date and w.week < :tailWeeksTo!::date
          union all
          select m.impressions, m.clicks, m.spend, m.landing_page_clicks, m.conversions, m.leads
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :tailFrom!::date <= :to!::date and m.date between :tailFrom!::date and :to!::date) parts
) s
where c.account_id = :accountId!
order by "spend!" desc, c.id;

/* One row per creative of the account, or of one of its campaigns when
   campaignId is given; ordered by spend descending, then creative id as text.
   Split finer than the campaigns (report_range_parts()): days, weeks, months, weeks,
   days, every part read for the whole account at once as a contiguous range of an
   (account_id, period) index that includes the sums: creative_daily_metrics for the
   edge days (migrations/…creative-days-by-account.sql), creative_weekly_metrics and
   creative_monthly_metrics for the rest (…create-week-rollups.sql). */
/* @name CreativesReport */
select cr.id as "creative_id!", cr.campaign_id, cr.content_name, cr.intended_status, cr.is_serving,
       coalesce(p.impressions, 0)::bigint as "impressions!",
       coalesce(p.clicks, 0)::bigint as "clicks!",
       coalesce(p.spend, 0) as "spend!",
       coalesce(p.conversions, 0)::bigint as "conversions!",
       coalesce(p.leads, 0)::bigint as "leads!",
       case when p.impressions > 0 then p.clicks::double precision / p.impressions else 0 end as "ctr!",
       case when p.clicks > 0 then (p.spend / p.clicks)::double precision else 0 end as "cpc!"
from creatives cr
left join (
    select creative_id, sum(impressions) as impressions, sum(clicks) as clicks, sum(spend) as spend,
           sum(conversions) as conversions, sum(leads) as leads
    from (select m.creative_id, m.impressions, m.clicks, m.spend, m.conversions, m.leads
          from creative_daily_metrics m
          where m.account_id = :accountId! and :from!::date <= :headTo!::date
            and m.date between :from!::date and :headTo!::date
          union all
          select w.creative_id, w.impressions, w.clicks, w.spend, w.conversions, w.leads
          from creative_weekly_metrics w
          where w.account_id = :accountId! and :headWeeksFrom!::date < :headWeeksTo!::date
            and w.week >= :headWeeksFrom!::date and w.week < :headWeeksTo!::date
          union all
          select r.creative_id, r.impressions, r.clicks, r.spend, r.conversions, r.leads
          from creative_monthly_metrics r
          where r.account_id = :accountId! and :monthsFrom!::date < :monthsTo!::date
            and r.month >= :monthsFrom!::date and r.month < :monthsTo!::date
          union all
          select w.creative_id, w.impressions, w.clicks, w.spend, w.conversions, w.leads
          from creative_weekly_metrics w
          where w.account_id = :accountId! and :tailWeeksFrom!::date < :tailWeeksTo!::date
            and w.week >= :tailWeeksFrom!::date and w.week < :tailWeeksTo!::date
          union all
          select m.creative_id, m.impressions, m.clicks, m.spend, m.conversions, m.leads
          from creative_daily_metrics m
          where m.account_id = :accountId! and :tailFrom!::date <= :to!::date
            and m.date between :tailFrom!::date and :to!::date) parts
    group by creative_id
) p on p.creative_id = cr.id
where cr.account_id = :accountId!
  and (:campaignId::bigint is null or cr.campaign_id = :campaignId::bigint)
order by "spend!" desc, cr.id collate "C";

/* One row per day of the range, days without data as zeros, for the account. The
   days are the first day plus 0, 1, …: date arithmetic, so no TimeZone can drop or
   repeat one (a timestamptz series lost the day of a DST change at midnight). */
/* @name DailyReport */
select d.day::text as "date!",
       coalesce(s.impressions, 0)::bigint as "impressions!",
       coalesce(s.clicks, 0)::bigint as "clicks!",
       coalesce(s.spend, 0) as "spend!",
       coalesce(s.conversions, 0)::bigint as "conversions!",
       coalesce(s.leads, 0)::bigint as "leads!",
       case when s.impressions > 0 then s.clicks::double precision / s.impressions else 0 end as "ctr!",
       case when s.clicks > 0 then (s.spend / s.clicks)::double precision else 0 end as "cpc!"
from (select :from!::date + offsets.n as day
      from generate_series(0, :to!::date - :from!::date) as offsets (n)) as d
left join account_daily_metrics s
       on s.account_id = :accountId! and s.date = d.day
order by d.day;

/* The same for one campaign of the account. */
/* @name CampaignDailyReport */
select d.day::text as "date!",
       coalesce(m.impressions, 0)::bigint as "impressions!",
       coalesce(m.clicks, 0)::bigint as "clicks!",
       coalesce(m.spend, 0) as "spend!",
       coalesce(m.conversions, 0)::bigint as "conversions!",
       coalesce(m.leads, 0)::bigint as "leads!",
       case when m.impressions > 0 then m.clicks::double precision / m.impressions else 0 end as "ctr!",
       case when m.clicks > 0 then (m.spend / m.clicks)::double precision else 0 end as "cpc!"
from (select :from!::date + offsets.n as day
      from generate_series(0, :to!::date - :from!::date) as offsets (n)) as d
left join campaign_daily_metrics m
       on m.campaign_id = :campaignId! and m.date = d.day
order by d.day;

/* One row per segment of one demographic pivot, summed over the stored periods
   whose date_start falls in the range; share_pct is recomputed over the
   segments returned (LinkedIn drops small segments: shares of reported impressions).
   Split like the creatives: periods starting on the edge days, then the weekly and
   monthly demographic rollups (keyed by the week and month of date_start). */
/* @name DemographicsReport */
select segment as "segment!",
       sum(impressions)::bigint as "impressions!",
       sum(clicks)::bigint as "clicks!",
       case when sum(impressions) > 0 then sum(clicks)::double precision / sum(impressions) else 0 end as "ctr!",
       case when sum(sum(impressions)) over () > 0
            then (sum(impressions) * 100.0 / sum(sum(impressions)) over ())::double precision
            else 0 end as "share_pct!"
from (select d.segment, 1 as periods, d.impressions, d.clicks
      from audience_demographics d
      where d.account_id = :accountId! and d.pivot_type = :pivotType!
        and :from!::date <= :headTo!::date and d.date_start between :from!::date and :headTo!::date
      union all
      select w.segment, w.periods, w.impressions, w.clicks
      from audience_demographic_weekly w
      where w.account_id = :accountId! and w.pivot_type = :pivotType!
        and :headWeeksFrom!::date < :headWeeksTo!::date and w.week >= :headWeeksFrom!::date and w.week < :headWeeksTo!::date
      union all
      select r.segment, r.periods, r.impressions, r.clicks
      from audience_demographic_monthly r
      where r.account_id = :accountId! and r.pivot_type = :pivotType!
        and :monthsFrom!::date < :monthsTo!::date and r.month >= :monthsFrom!::date and r.month < :monthsTo!::date
      union all
      select w.segment, w.periods, w.impressions, w.clicks
      from audience_demographic_weekly w
      where w.account_id = :accountId! and w.pivot_type = :pivotType!
        and :tailWeeksFrom!::date < :tailWeeksTo!::date and w.week >= :tailWeeksFrom!::date and w.week < :tailWeeksTo!::date
      union all
      select d.segment, 1, d.impressions, d.clicks
      from audience_demographics d
      where d.account_id = :accountId! and d.pivot_type = :pivotType!
        and :tailFrom!::date <= :to!::date and d.date_start between :tailFrom!::date and :to!::date) parts
group by segment
-- A rollup row whose periods were all deleted is no segment of the range.
having sum(periods) > 0
order by "impressions!" desc, segment;

/* One row per campaign of the account: the range against the equally long range
   just before it (prev*), each split like the campaigns report's. Ordered by spend
   descending, then id. */
/* @name CompareReport */
select c.id as "campaign_id!", c.name,
       coalesce(s.impressions, 0)::bigint as "impressions!",
       coalesce(s.impressions_prev, 0)::bigint as "impressions_prev!",
       coalesce(s.clicks, 0)::bigint as "clicks!",
       coalesce(s.clicks_prev, 0)::bigint as "clicks_prev!",
       coalesce(s.spend, 0) as "spend!",
       coalesce(s.spend_prev, 0) as "spend_prev!",
       case when s.impressions > 0 then s.clicks::double precision / s.impressions else 0 end as "ctr!",
       case when s.impressions_prev > 0 then s.clicks_prev::double precision / s.impressions_prev else 0 end as "ctr_prev!",
       case when s.clicks > 0 then (s.spend / s.clicks)::double precision else 0 end as "cpc!",
       case when s.clicks_prev > 0 then (s.spend_prev / s.clicks_prev)::double precision else 0 end as "cpc_prev!"
from campaigns c
cross join lateral (
    select sum(impressions) filter (where cur) as impressions, sum(impressions) filter (where not cur) as impressions_prev,
           sum(clicks) filter (where cur) as clicks, sum(clicks) filter (where not cur) as clicks_prev,
           sum(spend) filter (where cur) as spend, sum(spend) filter (where not cur) as spend_prev
    from (select true as cur, m.impressions, m.clicks, m.spend
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :from!::date <= :headTo!::date and m.date between :from!::date and :headTo!::date
          union all
          select true as cur, w.impressions, w.clicks, w.spend
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :headWeeksFrom!::date < :headWeeksTo!::date and w.week >= :headWeeksFrom!::date and w.week < :headWeeksTo!::date
          union all
          select true as cur, r.impressions, r.clicks, r.spend
          from campaign_monthly_metrics r
          where r.campaign_id = c.id and :monthsFrom!::date < :monthsTo!::date and r.month >= :monthsFrom!::date and r.month < :monthsTo!::date
          union all
          select true as cur, w.impressions, w.clicks, w.spend
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :tailWeeksFrom!::date < :tailWeeksTo!::date and w.week >= :tailWeeksFrom!::date and w.week < :tailWeeksTo!::date
          union all
          select true as cur, m.impressions, m.clicks, m.spend
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :tailFrom!::date <= :to!::date and m.date between :tailFrom!::date and :to!::date
          union all
          select false, m.impressions, m.clicks, m.spend
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :prevFrom!::date <= :prevHeadTo!::date and m.date between :prevFrom!::date and :prevHeadTo!::date
          union all
          select false, w.impressions, w.clicks, w.spend
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :prevHeadWeeksFrom!::date < :prevHeadWeeksTo!::date and w.week >= :prevHeadWeeksFrom!::date and w.week < :prevHeadWeeksTo!::date
          union all
          select false, r.impressions, r.clicks, r.spend
          from campaign_monthly_metrics r
          where r.campaign_id = c.id and :prevMonthsFrom!::date < :prevMonthsTo!::date and r.month >= :prevMonthsFrom!::date and r.month < :prevMonthsTo!::date
          union all
          select false, w.impressions, w.clicks, w.spend
          from campaign_weekly_metrics w
          where w.campaign_id = c.id and :prevTailWeeksFrom!::date < :prevTailWeeksTo!::date and w.week >= :prevTailWeeksFrom!::date and w.week < :prevTailWeeksTo!::date
          union all
          select false, m.impressions, m.clicks, m.spend
          from campaign_daily_metrics m
          where m.campaign_id = c.id and :prevTailFrom!::date <= :prevTo!::date and m.date between :prevTailFrom!::date and :prevTo!::date) parts
) s
where c.account_id = :accountId!
order by "spend!" desc, c.id;
