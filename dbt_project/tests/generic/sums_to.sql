{#- The rows of a model, summed per key, equal one amount per key in another model (a schedule sums
    to its line, tiers sum to their line). `group_by` and `to_group_by` pair the keys in order;
    `where` / `to_where` filter either side. With `complete`, every row of `to` needs parts (a
    missing group counts as 0). Fails on every key whose sum differs, exactly. -#}
{% test sums_to(model, column_name, group_by, to, to_column, to_group_by=none, where=none, to_where=none, complete=true) %}
{%- set to_keys = to_group_by if to_group_by else group_by -%}
with

parts as (
    select
        {% for key in group_by %}{{ key }} as key_{{ loop.index }}, {% endfor %}
        sum({{ column_name }}) as parts_total
    from {{ model }}
    {% if where %}where {{ where }}{% endif %}
    group by {% for key in group_by %}{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
),

wholes as (
    select
        {% for key in to_keys %}{{ key }} as key_{{ loop.index }}, {% endfor %}
        sum({{ to_column }}) as whole_total
    from {{ to }}
    {% if to_where %}where {{ to_where }}{% endif %}
    group by {% for key in to_keys %}{{ key }}{% if not loop.last %}, {% endif %}{% endfor %}
)

select
    {% for key in group_by %}coalesce(p.key_{{ loop.index }}, w.key_{{ loop.index }}) as key_{{ loop.index }}, {% endfor %}
    p.parts_total,
    w.whole_total
from parts as p
{% if complete %}full outer{% else %}left{% endif %} join wholes as w
    on {% for key in group_by %}p.key_{{ loop.index }} = w.key_{{ loop.index }}{% if not loop.last %} and {% endif %}{% endfor %}
where coalesce(p.parts_total, 0) <> coalesce(w.whole_total, 0)
{% endtest %}
