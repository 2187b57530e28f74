{#- Spark implementations of dbt's cross-database macros, used instead of
    dbt-spark's own (the root project comes first in the dbt namespace):
      datediff  dbt-spark's month difference is off by one when both dates
                are month ends of months of different lengths (April 30
                minus March 31 gives 2); here it is the count of month
                boundaries, as on DuckDB and PostgreSQL; day and year are
                plain differences;
      dateadd   a date for a date (dbt-spark goes through unix timestamps);
      listagg   dbt-spark ignores the order: here the values are sorted by
                the order expression (one ascending expression, bytewise
                for text) before they are joined;
      cast      the portable type names of the contracts (varchar, text) as
                Spark's (string), so that contracts are enforced on Spark
                too. -#}
{% macro spark__datediff(first_date, second_date, datepart) -%}
    {%- if datepart == 'day' -%}
        datediff({{ second_date }}, {{ first_date }})
    {%- elif datepart == 'month' -%}
        (
            (year({{ second_date }}) - year({{ first_date }})) * 12
            + month({{ second_date }}) - month({{ first_date }})
        )
    {%- elif datepart == 'year' -%}
        (year({{ second_date }}) - year({{ first_date }}))
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "datediff: datepart " ~ datepart ~ " is not used on Spark") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
    {%- if datepart == 'day' -%}
        date_add({{ from_date_or_timestamp }}, cast({{ interval }} as int))
    {%- elif datepart == 'month' -%}
        add_months({{ from_date_or_timestamp }}, cast({{ interval }} as int))
    {%- elif datepart == 'year' -%}
        add_months({{ from_date_or_timestamp }}, cast({{ interval }} as int) * 12)
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "dateadd: datepart " ~ datepart ~ " is not used on Spark") }}
    {%- endif -%}
{%- endmacro %}

{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if limit_num -%}
        {{ exceptions.raise_compiler_error("listagg: limit_num is not used on Spark") }}
    {%- endif -%}
    {%- if order_by_clause -%}
        {%- set sort_key = modules.re.sub(
            '^\\s*order\\s+by\\s+', '', order_by_clause, flags=modules.re.IGNORECASE
        ) -%}
        array_join(
            transform(
                array_sort(collect_list(named_struct(
                    'sort_key', {{ sort_key }}, 'value', {{ measure }}
                ))),
                item -> item.value
            ),
            {{ delimiter_text }}
        )
    {%- else -%}
        array_join(collect_list({{ measure }}), {{ delimiter_text }})
    {%- endif -%}
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    {%- set spark_type = type -%}
    {%- if type | trim | lower in ('varchar', 'text', 'character varying') -%}
        {%- set spark_type = 'string' -%}
    {%- endif -%}
    cast({{ field }} as {{ spark_type }})
{%- endmacro %}
