{#- Parse messy date text: YYYY-MM-DD, MM/DD/YYYY or an ISO timestamp
    (2024-01-31T00:00:00Z, whose calendar date is kept as written, with no
    time-zone shift). Anything else, or an impossible date, gives null. -#}
{% macro parse_date(column) -%}
    {{ return(adapter.dispatch('parse_date', 'utility_warehouse')(column)) }}
{%- endmacro %}

{% macro default__parse_date(column) -%}
    {{ exceptions.raise_compiler_error(
        "parse_date is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_date(column) -%}
    case
        when regexp_full_match(trim({{ column }}), '\d{4}-\d{1,2}-\d{1,2}')
            then cast(try_strptime(trim({{ column }}), '%Y-%m-%d') as date)
        when regexp_full_match(trim({{ column }}), '\d{1,2}/\d{1,2}/\d{4}')
            then cast(try_strptime(trim({{ column }}), '%m/%d/%Y') as date)
        when regexp_full_match(trim({{ column }}), '\d{4}-\d{2}-\d{2}[T ].*')
            then cast(
                try_strptime(left(trim({{ column }}), 10), '%Y-%m-%d') as date
            )
    end
{%- endmacro %}

{#- PostgreSQL: to_date is lenient (February 30 becomes March 2), so the
    parts are checked first (month 1-12, day within the month of that year,
    leap years included) and the date is made from them; year 0000 is 1 BC
    as in DuckDB. Patterns use [0-9] (\d may match other digits) and
    [^\n] (. also matches a newline in PostgreSQL). -#}
{% macro postgres__parse_date(column) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    case
        when {{ text }} ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$'
            then {{ date_from_parts(
                "split_part(" ~ text ~ ", '-', 1)",
                "split_part(" ~ text ~ ", '-', 2)",
                "split_part(" ~ text ~ ", '-', 3)"
            ) }}
        when {{ text }} ~ '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}$'
            then {{ date_from_parts(
                "split_part(" ~ text ~ ", '/', 3)",
                "split_part(" ~ text ~ ", '/', 1)",
                "split_part(" ~ text ~ ", '/', 2)"
            ) }}
        when {{ text }} ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][^\n]*$'
            then {{ date_from_parts(
                "substr(" ~ text ~ ", 1, 4)",
                "substr(" ~ text ~ ", 6, 2)",
                "substr(" ~ text ~ ", 9, 2)"
            ) }}
    end
{%- endmacro %}

{#- Spark: its cast to date checks the day (February 30 gives null) and
    reads one-digit months and days; the patterns keep it to DuckDB's three
    forms (string literals need doubled backslashes, and \z, not $, ends
    the text, as $ also matches before a final newline in Java). Small
    expressions matter on Spark: they are planned once per reference. -#}
{% macro spark__parse_date(column) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    case
        when {{ text }} rlike '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\\z'
            then try_cast({{ text }} as date)
        when {{ text }} rlike '^[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}\\z'
            then try_cast(
                concat_ws(
                    '-',
                    split_part({{ text }}, '/', 3),
                    split_part({{ text }}, '/', 1),
                    split_part({{ text }}, '/', 2)
                ) as date
            )
        when {{ text }} rlike '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][^\\n]*\\z'
            then try_cast(substr({{ text }}, 1, 10) as date)
    end
{%- endmacro %}

{#- The date of year, month and day given as digit text (already matched
    as digits), or null when there is no such day: month 1 to 12, day 1 to
    the length of that month (February 29 in leap years of the proleptic
    Gregorian calendar). Used where the engine's own date parser is lenient
    (PostgreSQL). -#}
{% macro date_from_parts(year_text, month_text, day_text) -%}
    {{ return(adapter.dispatch('date_from_parts', 'utility_warehouse')(
        year_text, month_text, day_text)) }}
{%- endmacro %}

{% macro default__date_from_parts(year_text, month_text, day_text) -%}
    {{ exceptions.raise_compiler_error(
        "date_from_parts is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro postgres__date_from_parts(year_text, month_text, day_text) -%}
    {%- set y = 'cast(' ~ year_text ~ ' as integer)' -%}
    {%- set m = 'cast(' ~ month_text ~ ' as integer)' -%}
    {%- set d = 'cast(' ~ day_text ~ ' as integer)' -%}
    case
        when
            {{ m }} between 1 and 12
            and {{ d }} between 1 and {{ days_in_month(y, m) }}
            then make_date(
                case when {{ y }} = 0 then -1 else {{ y }} end, {{ m }}, {{ d }}
            )
    end
{%- endmacro %}

{#- The number of days of month m of year y (integer expressions). -#}
{% macro days_in_month(y, m) -%}
    case
        when {{ m }} = 2
            then case
                when
                    ({{ y }} % 4 = 0 and {{ y }} % 100 != 0)
                    or {{ y }} % 400 = 0
                    then 29
                else 28
            end
        when {{ m }} in (4, 6, 9, 11) then 30
        else 31
    end
{%- endmacro %}
