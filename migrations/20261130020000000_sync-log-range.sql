-- Up Migration

-- The days a sync fetched from the LinkedIn API, beyond the specification's columns
-- (null for an ingest of a file: its days are whatever the file holds). An
-- incremental sync starts from the end of the last one's range minus its lookback,
-- not from when that one ran: a sync of an older range leaves no gap behind it.
alter table sync_log
    add column date_from date,
    add column date_to date,
    add constraint sync_log_date_range check (date_from <= date_to);

comment on column sync_log.date_to is 'The last day a sync fetched from the API (null for an ingest of a file).';

-- Down Migration

alter table sync_log drop column date_from, drop column date_to;
