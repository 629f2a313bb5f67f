/* Advisory locks of ingests and staged writes. Keys are 64-bit hashes of a
   namespaced text, so they cannot collide with node-pg-migrate's lock or with
   another application's small integer keys. */

/* Waits for the write locks of these accounts, in id order so that two writers
   never wait on each other in a cycle. Held until the transaction ends. */
/* @name LockAccountsForWrite */
select count(pg_advisory_xact_lock(hashtextextended('linkedin-ads-store:account:' || id, 0)))
         as "locked!"
from (select distinct id from unnest(:accountIds!::bigint[]) as id order by id) ordered;

/* Takes the write locks of these accounts that are free now, in id order;
   returns the ids it could not take (the caller then gives up and rolls back). */
/* @name TryLockAccountsForWrite */
select id as "account_id!"
from (select distinct id from unnest(:accountIds!::bigint[]) as id order by id) ordered
where not pg_try_advisory_xact_lock(hashtextextended('linkedin-ads-store:account:' || id, 0));

/* Waits for the sync lock of an account_id value ('all' is a value of its own).
   Session-level: held by the ingest's connection until released or closed. */
/* @name LockSync */
select pg_advisory_lock(hashtextextended('linkedin-ads-store:sync:' || :accountId!::text, 0))::text
         as "locked!";

/* @name TryLockSync */
select pg_try_advisory_lock(hashtextextended('linkedin-ads-store:sync:' || :accountId!::text, 0))
         as "locked!";

/* @name UnlockSync */
select pg_advisory_unlock(hashtextextended('linkedin-ads-store:sync:' || :accountId!::text, 0))
         as "unlocked!";

/* How long this transaction's lock waits may take ('0' = no limit), e.g. '30000ms'. */
/* @name SetLockTimeout */
select set_config('lock_timeout', :timeout!::text, true) as "lock_timeout!";

/* The same for the whole session (a sync lock is waited for outside any transaction). */
/* @name SetSessionLockTimeout */
select set_config('lock_timeout', :timeout!::text, false) as "lock_timeout!";
