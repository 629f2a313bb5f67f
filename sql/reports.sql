/* The reports: one statement each, over an inclusive date range from..to.
   ctr = clicks / impressions and cpc = spend / clicks are computed from the
   range's sums (never an average of daily ratios), 0 when the denominator is 0.
   Counts are summed as bigint, money as numeric (exact). Rows with no data in
   the range are kept with zeros. */

/* One row per account (every account), ordered by spend descending, then id. */
/* @name AccountsReport */
select a.id as "account_id!", a.name, a.currency, a.status,
       coalesce(sum(m.impressions), 0)::bigint as "impressions!",
       coalesce(sum(m.clicks), 0)::bigint as "clicks!",
       coalesce(sum(m.spend), 0) as "spend!",
       coalesce(sum(m.conversions), 0)::bigint as "conversions!",
       coalesce(sum(m.leads), 0)::bigint as "leads!",
       case when sum(m.impressions) > 0 then sum(m.clicks)::double precision / sum(m.impressions) else 0 end as "ctr!",
       case when sum(m.clicks) > 0 then (sum(m.spend) / sum(m.clicks))::double precision else 0 end as "cpc!"
from ad_accounts a
left join campaigns c on c.account_id = a.id
left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between :from!::date and :to!::date
group by a.id
order by "spend!" desc, a.id;

/* One row per campaign of the account, ordered by spend descending, then id. */
/* @name CampaignsReport */
select c.id as "campaign_id!", c.name, c.status, c.type, c.campaign_group,
       coalesce(sum(m.impressions), 0)::bigint as "impressions!",
       coalesce(sum(m.clicks), 0)::bigint as "clicks!",
       coalesce(sum(m.spend), 0) as "spend!",
       coalesce(sum(m.landing_page_clicks), 0)::bigint as "landing_page_clicks!",
       coalesce(sum(m.conversions), 0)::bigint as "conversions!",
       coalesce(sum(m.leads), 0)::bigint as "leads!",
       case when sum(m.impressions) > 0 then sum(m.clicks)::double precision / sum(m.impressions) else 0 end as "ctr!",
       case when sum(m.clicks) > 0 then (sum(m.spend) / sum(m.clicks))::double precision else 0 end as "cpc!"
from campaigns c
left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between :from!::date and :to!::date
where c.account_id = :accountId!
group by c.id
order by "spend!" desc, c.id;

/* One row per creative of the account, or of one of its campaigns when
   campaignId is given; ordered by spend descending, then creative id as text. */
/* @name CreativesReport */
select cr.id as "creative_id!", cr.campaign_id, cr.content_name, cr.intended_status, cr.is_serving,
       coalesce(sum(m.impressions), 0)::bigint as "impressions!",
       coalesce(sum(m.clicks), 0)::bigint as "clicks!",
       coalesce(sum(m.spend), 0) as "spend!",
       coalesce(sum(m.conversions), 0)::bigint as "conversions!",
       coalesce(sum(m.leads), 0)::bigint as "leads!",
       case when sum(m.impressions) > 0 then sum(m.clicks)::double precision / sum(m.impressions) else 0 end as "ctr!",
       case when sum(m.clicks) > 0 then (sum(m.spend) / sum(m.clicks))::double precision else 0 end as "cpc!"
from creatives cr
left join creative_daily_metrics m on m.creative_id = cr.id and m.date between :from!::date and :to!::date
where cr.account_id = :accountId!
  and (:campaignId::bigint is null or cr.campaign_id = :campaignId::bigint)
group by cr.id
order by "spend!" desc, cr.id collate "C";

/* One row per day of the range, days without data as zeros; the account's
   campaigns, or one of them when campaignId is given. The days' sums are taken
   first and then laid on the calendar, so the metrics are read once. */
/* @name DailyReport */
select d.day::date::text as "date!",
       coalesce(s.impressions, 0)::bigint as "impressions!",
       coalesce(s.clicks, 0)::bigint as "clicks!",
       coalesce(s.spend, 0) as "spend!",
       coalesce(s.conversions, 0)::bigint as "conversions!",
       coalesce(s.leads, 0)::bigint as "leads!",
       case when s.impressions > 0 then s.clicks::double precision / s.impressions else 0 end as "ctr!",
       case when s.clicks > 0 then (s.spend / s.clicks)::double precision else 0 end as "cpc!"
from generate_series(:from!::date, :to!::date, interval '1 day') as d (day)
left join (select m.date, sum(m.impressions) as impressions, sum(m.clicks) as clicks, sum(m.spend) as spend,
                  sum(m.conversions) as conversions, sum(m.leads) as leads
           from campaign_daily_metrics m
           join campaigns c on c.id = m.campaign_id
           where c.account_id = :accountId!
             and (:campaignId::bigint is null or c.id = :campaignId::bigint)
             and m.date between :from!::date and :to!::date
           group by m.date) s
       on s.date = d.day::date
order by d.day;

/* One row per segment of one demographic pivot, summed over the stored periods
   whose date_start falls in the range; share_pct is recomputed over the
   segments returned (LinkedIn drops small segments: shares of reported impressions). */
/* @name DemographicsReport */
select segment as "segment!",
       sum(impressions)::bigint as "impressions!",
       sum(clicks)::bigint as "clicks!",
       case when sum(impressions) > 0 then sum(clicks)::double precision / sum(impressions) else 0 end as "ctr!",
       case when sum(sum(impressions)) over () > 0
            then (sum(impressions) * 100.0 / sum(sum(impressions)) over ())::double precision
            else 0 end as "share_pct!"
from audience_demographics
where account_id = :accountId!
  and pivot_type = :pivotType!
  and date_start between :from!::date and :to!::date
group by segment
order by "impressions!" desc, segment;

/* One row per campaign of the account: the range against the equally long range
   just before it (prevFrom..prevTo, given by the caller). Ordered by spend
   descending, then id. */
/* @name CompareReport */
select c.id as "campaign_id!", c.name,
       coalesce(sum(m.impressions) filter (where m.date >= :from!::date), 0)::bigint as "impressions!",
       coalesce(sum(m.impressions) filter (where m.date < :from!::date), 0)::bigint as "impressions_prev!",
       coalesce(sum(m.clicks) filter (where m.date >= :from!::date), 0)::bigint as "clicks!",
       coalesce(sum(m.clicks) filter (where m.date < :from!::date), 0)::bigint as "clicks_prev!",
       coalesce(sum(m.spend) filter (where m.date >= :from!::date), 0) as "spend!",
       coalesce(sum(m.spend) filter (where m.date < :from!::date), 0) as "spend_prev!",
       coalesce(sum(m.clicks) filter (where m.date >= :from!::date)::double precision
                / nullif(sum(m.impressions) filter (where m.date >= :from!::date), 0), 0) as "ctr!",
       coalesce(sum(m.clicks) filter (where m.date < :from!::date)::double precision
                / nullif(sum(m.impressions) filter (where m.date < :from!::date), 0), 0) as "ctr_prev!",
       coalesce((sum(m.spend) filter (where m.date >= :from!::date)
                 / nullif(sum(m.clicks) filter (where m.date >= :from!::date), 0))::double precision, 0) as "cpc!",
       coalesce((sum(m.spend) filter (where m.date < :from!::date)
                 / nullif(sum(m.clicks) filter (where m.date < :from!::date), 0))::double precision, 0) as "cpc_prev!"
from campaigns c
left join campaign_daily_metrics m on m.campaign_id = c.id and m.date between :prevFrom!::date and :to!::date
where c.account_id = :accountId!
group by c.id
order by "spend!" desc, c.id;
