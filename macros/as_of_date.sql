{#- The run's as-of date as a SQL date literal: the `as_of` var
    (YYYY-MM-DD) when set, else the day the run started. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', none) or run_started_at.strftime('%Y-%m-%d') -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}
