{#- The GL mapping rule of each line of `lines` (a CTE with `key`, legal_entity, document_date,
    product_id, price_id, line_kind, region): the first rule of the seed gl_mapping_rules by
    priority whose legal entity scope, effective dates (on the document date, valid_to exclusive)
    and conditions (empty = any) match. One row per line a rule matches (line_key, rule_id,
    account_number, department, class, location, needs_review); shared by the invoice lines
    (int_gl_lines_mapped) and the revenue accruals (int_revenue_accruals). -#}
{% macro gl_rule_matches(lines, key) -%}
    select
        line_key,
        rule_id,
        account_number,
        department,
        class,
        location,
        needs_review
    from (
        select
            l.{{ key }} as line_key,
            r.rule_id,
            r.account_number,
            r.department,
            r.class,
            r.location,
            r.needs_review,
            row_number() over (
                partition by l.{{ key }} order by r.priority, r.rule_id
            ) as match_rank
        from {{ lines }} as l
        inner join {{ ref('gl_mapping_rules') }} as r
            on
                (r.legal_entity = '*' or l.legal_entity = r.legal_entity)
                and l.document_date >= r.valid_from
                and (r.valid_to is null or l.document_date < r.valid_to)
                and (r.product_id is null or l.product_id = r.product_id)
                and (r.price_id is null or l.price_id = r.price_id)
                and (r.line_kind is null or l.line_kind = r.line_kind)
                and (r.region is null or l.region = r.region)
    ) as ranked
    where match_rank = 1
{%- endmacro %}
