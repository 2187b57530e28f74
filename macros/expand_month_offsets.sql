{#- A select of every column of `relation` plus month_offset, one row per
    calendar month from the month of `start_column` to the month of
    `end_column` (0 = the start month). Only the months each row overlaps
    are produced: there is no global calendar to join. -#}
{% macro expand_month_offsets(relation, start_column, end_column) -%}
    {{ return(adapter.dispatch('expand_month_offsets', 'utility_warehouse')(
        relation, start_column, end_column)) }}
{%- endmacro %}

{% macro duckdb__expand_month_offsets(relation, start_column, end_column) -%}
    select
        *,
        unnest(generate_series(
            0, {{ dbt.datediff(start_column, end_column, 'month') }}
        )) as month_offset
    from {{ relation }}
{%- endmacro %}

{% macro postgres__expand_month_offsets(relation, start_column, end_column) -%}
    select
        expanded.*,
        month_offsets.month_offset
    from {{ relation }} as expanded
    cross join lateral generate_series(
        0,
        cast({{ dbt.datediff(
            'expanded.' ~ start_column, 'expanded.' ~ end_column, 'month'
        ) }} as integer)
    ) as month_offsets (month_offset)
{%- endmacro %}

{% macro spark__expand_month_offsets(relation, start_column, end_column) -%}
    select
        *,
        explode(sequence(
            0, {{ dbt.datediff(start_column, end_column, 'month') }}
        )) as month_offset
    from {{ relation }}
{%- endmacro %}
