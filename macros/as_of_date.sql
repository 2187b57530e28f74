{#- The run's as-of date as a SQL date literal: the `as_of` var
    (YYYY-MM-DD) when set, else the day the run started. -#}
{% macro as_of_date() -%}
    {%- set as_of = var('as_of', none) or run_started_at.strftime('%Y-%m-%d') -%}
    cast('{{ as_of }}' as date)
{%- endmacro %}

{#- The last complete month of the as-of date D, as a SQL date (its first
    day): D's month when D is its month's last day, else the month before.
    Windows read as "the last N months" end there; the month after it, when
    it holds D, is the month in progress. -#}
{% macro last_complete_month() -%}
    {%- set as_of = var('as_of', none) or run_started_at.strftime('%Y-%m-%d') -%}
    {%- set day = modules.datetime.date.fromisoformat(as_of | string) -%}
    {%- set month_start = day.replace(day=1) -%}
    {%- if (day + modules.datetime.timedelta(days=1)).month != day.month -%}
        {%- set last_complete = month_start -%}
    {%- else -%}
        {%- set last_complete = (month_start - modules.datetime.timedelta(days=1)).replace(day=1) -%}
    {%- endif -%}
    cast('{{ last_complete.isoformat() }}' as date)
{%- endmacro %}
