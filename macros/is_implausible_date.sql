{#- True when a parsed date is implausible for a utility bill: before the
    var plausible_date_min (default 1950-01-01) or more than one year after
    the run's as-of date (a year typed 0025, 2206 or 9999). -#}
{% macro is_implausible_date(value) -%}
    (
        {{ value }} < cast('{{ var("plausible_date_min") }}' as date)
        or {{ value }} > {{ dbt.dateadd('year', 1, as_of_date()) }}
    )
{%- endmacro %}
