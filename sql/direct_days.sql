/* An ingest's first load of days written straight into their tables by COPY
   (src/ingest/direct.ts), instead of through staging. A day may go straight in
   only when its campaign (creative) is stored with an account whose write lock
   this transaction holds, and has no day stored at all: then no other ingest can
   add one before this transaction ends, and every day of the file is new. */

/* The accounts of these campaigns, for those that have no day stored yet (the
   others' days go through staging, which replaces restated days). Read before
   the locks are taken; ListCampaignsWithoutDays reads again under them. */
/* @name ListAccountsOfCampaignsWithoutDays */
select c.id as "id!", c.account_id as "account_id!"
from campaigns c
where c.id = any(:ids!::bigint[])
  and c.account_id is not null
  and not exists (select 1 from campaign_daily_metrics d where d.campaign_id = c.id);

/* Of these campaigns, those still on one of :accountIds (whose write locks this
   transaction holds) and still without a stored day: the ones whose days may go
   straight in, each with the account its days carry. */
/* @name ListCampaignsWithoutDays */
select c.id as "id!", c.account_id as "account_id!"
from campaigns c
where c.id = any(:ids!::bigint[])
  and c.account_id = any(:accountIds!::bigint[])
  and not exists (select 1 from campaign_daily_metrics d where d.campaign_id = c.id);

/* The same for creatives and their days. */
/* @name ListAccountsOfCreativesWithoutDays */
select c.id as "id!", c.account_id as "account_id!"
from creatives c
where c.id = any(:ids!::text[])
  and c.account_id is not null
  and not exists (select 1 from creative_daily_metrics d where d.creative_id = c.id);

/* @name ListCreativesWithoutDays */
select c.id as "id!", c.account_id as "account_id!"
from creatives c
where c.id = any(:ids!::text[])
  and c.account_id = any(:accountIds!::bigint[])
  and not exists (select 1 from creative_daily_metrics d where d.creative_id = c.id);

/* The campaigns and creatives staged so far, merged early (before the days that
   follow them in the file), so that the end can count each described once. */
/* @name ListStagedEntityIds */
select array(select id from staged_campaigns) as "campaign_ids!",
       array(select id from staged_creatives) as "creative_ids!";

/* The staged campaigns and creatives that no early merge of the same write described. */
/* @name CountStagedEntitiesBesides */
select (select count(*) from staged_campaigns where id <> all(:campaignIds!::bigint[])) as "campaigns!",
       (select count(*) from staged_creatives where id <> all(:creativeIds!::text[])) as "creatives!";
