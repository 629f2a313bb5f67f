/* Queries of audience_demographics: account-level breakdowns by one MEMBER_*
   pivot per period. Writes go through staging (sql/staged_audience_demographics.sql),
   which recomputes the derived share_pct per group. */

/* Periods of one pivot of an account whose date_start falls in the range. */
/* @name ListAudienceDemographics */
select account_id, pivot_type, segment, date_start, date_end, impressions, clicks, ctr, share_pct,
       fetched_at
from audience_demographics
where account_id = :accountId!
  and pivot_type = :pivotType!
  and date_start between :from!::date and :to!::date
order by date_start, impressions desc, segment;
