/* Queries of sync_log: one row per sync run. A run starts 'running' and ends
   'success' or 'failed'; a partial unique index allows one running row per
   account_id value. */

/* @name StartSync */
insert into sync_log (account_id, status, trigger, date_from, date_to)
values (:accountId!, 'running', :trigger, :dateFrom::date, :dateTo::date)
returning id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
          creatives_fetched, api_calls_made, errors;

/* Ends a running sync; returns no row when it is not running (already ended). */
/* @name FinishSync */
update sync_log
set status = :status!,
    finished_at = now(),
    campaigns_fetched = :campaignsFetched!,
    creatives_fetched = :creativesFetched!,
    api_calls_made = :apiCallsMade!,
    errors = :errors
where id = :id! and status = 'running'
returning id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
          creatives_fetched, api_calls_made, errors;

/* @name GetSyncById */
select id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
       creatives_fetched, api_calls_made, errors
from sync_log
where id = :id!;

/* @name GetRunningSync */
select id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
       creatives_fetched, api_calls_made, errors
from sync_log
where account_id = :accountId! and status = 'running';

/* Newest first; all accounts when accountId is null. */
/* @name ListSyncs */
select id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
       creatives_fetched, api_calls_made, errors
from sync_log
where (:accountId::text is null or account_id = :accountId::text)
order by id desc
limit :limit!::integer;

/* Marks failed the running sync of an account_id value whose ingest is gone:
   called by the holder of that value's sync lock, which a live ingest would hold. */
/* @name FailStaleRunningSync */
update sync_log
set status = 'failed',
    finished_at = now(),
    errors = 'stale: the ingest that started this sync ended without finishing it'
where account_id = :accountId! and status = 'running'
returning id;

/* Records a sync that failed before it could run (invalid input, lock wait timed out). */
/* @name InsertFailedSync */
insert into sync_log (account_id, status, trigger, finished_at, api_calls_made, errors, date_from, date_to)
values (:accountId!, 'failed', :trigger, now(), :apiCallsMade!, :errors!, :dateFrom::date, :dateTo::date)
returning id, account_id, started_at, finished_at, status, trigger, campaigns_fetched,
          creatives_fetched, api_calls_made, errors;

/* The last day the newest successful API sync of one account_id value fetched,
   and the day it ran; no row when none: an incremental sync starts from there
   (minus its lookback). Ingests of files, which record no range, do not count. */
/* @name GetLastSyncedRange */
select date_to as "dateTo!", (started_at at time zone 'UTC')::date as "ranOn!"
from sync_log
where account_id = :accountId! and status = 'success' and date_to is not null
order by date_to desc, id desc
limit 1;
