-- Nothing landed before: an empty table of old matches with the right columns.
create or replace temp table _old_matches as
select
    {keys},
    {hash_column} as h,
    {payload} as p
from read_parquet($new)
where false
