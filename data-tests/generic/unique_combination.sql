{#- The grain of a model: fails with one row per combination of `columns`
    that occurs more than once (a composite grain such as meter + month),
    and one per combination with a null in a column not listed in
    `nullable_columns` (a null key is no key). -#}
{% test unique_combination(model, columns, nullable_columns=[]) %}

{%- set required_columns = columns | reject('in', nullable_columns) | list -%}

with

grain_counts as (

    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}

),

duplicated as (

    select
        *,
        'duplicate' as problem
    from grain_counts
    where row_count > 1

),

null_keys as (

    select
        *,
        'null_key' as problem
    from grain_counts
    where
        {%- for column in required_columns %}
        {{ column }} is null{{ " or" if not loop.last }}
        {%- endfor %}
        {%- if not required_columns %} false{% endif %}

)

select * from duplicated
union all
select * from null_keys

{% endtest %}
