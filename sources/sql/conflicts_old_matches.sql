-- Old rows that share a key hash with the new batch (usually a handful of re-deliveries), with
-- their fields for the exact comparison. The range bounds are checked by DuckDB against
-- Parquet statistics: most row groups are never read.
create or replace temp table _old_matches as
select
    {old_keys},
    o.{hash_column} as h,
    {old_payload} as p
from read_parquet($old) as o
where
    {old_in_range}
    and hash({old_keys}) in (select hash({keys}) from read_parquet($new))
