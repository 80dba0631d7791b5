-- The new batch's row count and the range of each key (and of the time column, widened by the
-- window): old rows outside it cannot conflict.
select
    count(*) as row_count,
    {key_ranges}
    {time_range}
from read_parquet($new)
