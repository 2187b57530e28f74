{#- Conservation: per key, the sum of `part_expression` over `model` equals
    the sum of `whole_expression` over `whole_model` (rows filtered by
    `whole_where`; parts filtered by `part_where`), exactly. A key present on one side only fails too, so
    nothing can be lost or invented. Keys are compared null-safely. -#}
{% test parts_sum_to_whole(
    model, key_columns, part_expression, whole_model, whole_expression,
    whole_where='1 = 1', part_where='1 = 1'
) %}

with

parts as (

    select
        {{ key_columns | join(', ') }},
        sum({{ part_expression }}) as parts_total
    from {{ model }}
    where {{ part_where }}
    group by {{ key_columns | join(', ') }}

),

wholes as (

    select
        {{ key_columns | join(', ') }},
        sum({{ whole_expression }}) as whole_total
    from {{ whole_model }}
    where {{ whole_where }}
    group by {{ key_columns | join(', ') }}

),

compared as (

    select
        {%- for key in key_columns %}
        coalesce(parts.{{ key }}, wholes.{{ key }}) as {{ key }},
        {%- endfor %}
        parts.parts_total,
        wholes.whole_total
    from parts
    full outer join wholes
        on
        {%- for key in key_columns %}
            {{ null_safe_equals('parts.' ~ key, 'wholes.' ~ key) }}
            {{ "and" if not loop.last }}
        {%- endfor %}

)

select *
from compared
where coalesce(parts_total, 0) != coalesce(whole_total, 0)

{% endtest %}
