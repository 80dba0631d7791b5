{#- The revenue schedule (int_revenue_schedule), published. -#}
select * from {{ ref('int_revenue_schedule') }}
