/* Reads of ad_accounts. Writes go through staging: sql/staged_ad_accounts.sql. */

/* @name GetAccountById */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
where id = :id!;

/* @name ListAccountsByIds */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
where id = any(:ids!::bigint[])
order by id;

/* The specification's "accounts ordered by name"; id breaks ties, unnamed accounts last. */
/* @name ListAccountsByName */
select id, name, status, currency, type, is_test, created_at, fetched_at
from ad_accounts
order by name, id;
