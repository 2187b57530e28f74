{#- Parse messy timestamp text (ISO with T or space, optional Z or offset,
    or any date parse_date accepts under var date_order (or the argument),
    read as midnight). Unparseable text gives null. Used to order record
    versions (updated_at). -#}
{% macro parse_timestamp(column, date_order=none) -%}
    {{ return(adapter.dispatch('parse_timestamp', 'utility_warehouse')(
        column, date_order_setting(date_order))) }}
{%- endmacro %}

{% macro duckdb__parse_timestamp(column, date_order) -%}
    coalesce(
        cast(try_cast(trim({{ column }}) as timestamptz) as timestamp),
        try_cast(trim({{ column }}) as timestamp),
        cast({{ parse_date(column, date_order) }} as timestamp)
    )
{%- endmacro %}

{#- PostgreSQL: its timestamp input reads the ISO forms DuckDB's cast reads
    but raises on an impossible one, so the text is checked first with
    regular expressions without capture groups (fast in PostgreSQL): the
    shape (a date, then optionally a time and a zone), a real day (checked
    on its parts), hour 0-23 (or 24:00:00, the next midnight, as DuckDB and
    PostgreSQL read it), minute and second 0-59. A zone right after the
    time (Z, UTC, +05, +0530, +05:30) is applied, giving UTC; after a space
    it is ignored, as DuckDB does; text without one is UTC. Year 0000 and
    anything else fall back to a date parse_date accepts, at midnight. -#}
{% macro postgres__parse_timestamp(column, date_order) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set day_text = "split_part(split_part(" ~ text ~ ", 'T', 1), ' ', 1)" -%}
    case
        when
            {{ text }} ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[T ][0-9]{1,2}:[0-9]{1,2}(?::[0-9]{1,2}(?:[.][0-9]+)?)?(?:Z| UTC| ?[+-][0-9]{2}(?::?[0-9]{2})?)?)?$'
            and {{ text }} !~ '^0000'
            and {{ text }} !~ '[T ](?:2[5-9]|[3-9][0-9]):'
            and {{ text }} !~ '[T ]24:(?:0?[1-9]|[1-9][0-9])'
            and {{ text }} !~ '[T ]24:[0-9]{1,2}:(?:0?[1-9]|[1-9][0-9])'
            and {{ text }} !~ '[T ]24:[0-9]{1,2}:[0-9]{1,2}[.][0-9]*[1-9]'
            and {{ text }} !~ '[T ][0-9]{1,2}:[6-9][0-9]'
            and {{ text }} !~ '[T ][0-9]{1,2}:[0-9]{1,2}:[6-9][0-9]'
            and {{ postgres__date_from_parts(
                "split_part(" ~ day_text ~ ", '-', 1)",
                "split_part(" ~ day_text ~ ", '-', 2)",
                "split_part(" ~ day_text ~ ", '-', 3)"
            ) }} is not null
            then case
                when
                    {{ text }}
                    ~ ':[0-9]{1,2}(?:[.][0-9]+)?(?:Z| UTC|[+-][0-9]{2}(?::?[0-9]{2})?)$'
                    then cast({{ text }} as timestamptz) at time zone 'UTC'
                else cast({{ text }} as timestamp)
            end
        else cast({{ parse_date(column, date_order) }} as timestamp)
    end
{%- endmacro %}

{#- Spark: its cast to timestamp reads the same ISO forms as DuckDB's
    (Z, +05:30, +0530 and named zones applied; the session time zone is
    UTC), once the text starts with a whole date (Spark alone would also
    read "2024" or "2024-03"); anything else is a date parse_date accepts,
    at midnight. Rare forms differ: Spark applies an offset after a space
    and reads an hour without minutes, DuckDB reads 24:00:00. -#}
{% macro spark__parse_timestamp(column, date_order) -%}
    coalesce(
        case
            when trim({{ column }}) rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([T ]|\\z)'
                then try_cast(trim({{ column }}) as timestamp)
        end,
        cast({{ parse_date(column, date_order) }} as timestamp)
    )
{%- endmacro %}
