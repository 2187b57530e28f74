{#- Conservation: per key, the sum of `part_expression` over `model` equals
    the sum of `whole_expression` over `whole_model` (rows filtered by
    `whole_where`; parts filtered by `part_where`), exactly. A key present on one side only fails too, so
    nothing can be lost or invented. Keys are compared null-safely: both
    sides are stacked and grouped by the keys (grouping treats nulls as
    equal on every engine, and hashes, where PostgreSQL cannot full-join on
    a null-safe condition). `whole_model` may be a relation or a
    parenthesized subquery. -#}
{% test parts_sum_to_whole(
    model, key_columns, part_expression, whole_model, whole_expression,
    whole_where='1 = 1', part_where='1 = 1'
) %}
with
parts as (
    select
        {{ key_columns | join(', ') }},
        sum({{ part_expression }}) as parts_total,
        cast(null as {{ dbt.type_numeric() }}) as whole_total
    from {{ model }}
    where {{ part_where }}
    group by {{ key_columns | join(', ') }}
),
wholes as (
    select
        {{ key_columns | join(', ') }},
        cast(null as {{ dbt.type_numeric() }}) as parts_total,
        sum({{ whole_expression }}) as whole_total
    from {{ whole_model }} as whole_rows
    where {{ whole_where }}
    group by {{ key_columns | join(', ') }}
),
compared as (
    select
        {{ key_columns | join(', ') }},
        sum(parts_total) as parts_total,
        sum(whole_total) as whole_total
    from (
        select * from parts
        union all
        select * from wholes
    ) as stacked
    group by {{ key_columns | join(', ') }}
)
select *
from compared
where coalesce(parts_total, 0) != coalesce(whole_total, 0)
{% endtest %}
