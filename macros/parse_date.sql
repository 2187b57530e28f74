{#- Parse messy date text by the date grammar of date_pattern: YYYY-MM-DD
    (read first, by a plain cast), an ISO timestamp (its calendar date as
    written, no time-zone shift), other year-first dates (YYYY/M/D,
    YYYY.M.D) in every order, and year-last dates (A/B/YYYY, A.B.YYYY,
    A-B-YYYY) read by var date_order (or the argument): mdy reads A as the
    month, dmy as the day. A value impossible in that order (a 13th month,
    February 30) is null, never swapped; so is a two-digit year and
    anything else. -#}
{% macro parse_date(column, date_order=none) -%}
    {{ return(adapter.dispatch('parse_date', 'utility_warehouse')(
        column, date_order_setting(date_order))) }}
{%- endmacro %}

{#- DuckDB: strptime refuses impossible days; %m and %d read one or two
    digits, and the patterns keep %Y to four. -#}
{% macro duckdb__parse_date(column, date_order) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set year_last_format = '%m-%d-%Y' if date_order == 'mdy' else '%d-%m-%Y' -%}
    case
        when regexp_full_match({{ text }}, {{ regex_literal(date_pattern('iso_date')) }})
            then try_cast({{ text }} as date)
        when regexp_full_match({{ text }}, {{ regex_literal(date_pattern('iso_timestamp')) }})
            then cast(try_strptime(left({{ text }}, 10), '%Y-%m-%d') as date)
        when regexp_full_match({{ text }}, {{ regex_literal(date_pattern('year_first')) }})
            then cast(
                try_strptime(translate({{ text }}, '/.', '--'), '%Y-%m-%d') as date
            )
        when regexp_full_match({{ text }}, {{ regex_literal(date_pattern('year_last')) }})
            then cast(
                try_strptime(
                    translate({{ text }}, '/.', '--'), '{{ year_last_format }}'
                ) as date
            )
    end
{%- endmacro %}

{#- PostgreSQL: to_date is lenient (February 30 becomes March 2), so the
    parts are checked first (month 1-12, day within the month of that year,
    leap years included) and the date is made from them; year 0000 is 1 BC
    as in DuckDB. Separators become '-' before the parts are split. -#}
{% macro postgres__parse_date(column, date_order) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set dashed = "translate(" ~ text ~ ", '/.', '--')" -%}
    {%- set first = "split_part(" ~ dashed ~ ", '-', 1)" -%}
    {%- set second = "split_part(" ~ dashed ~ ", '-', 2)" -%}
    {%- set third = "split_part(" ~ dashed ~ ", '-', 3)" -%}
    case
        when {{ text }} ~ {{ regex_literal('^(?:' ~ date_pattern('iso_date') ~ ')$') }}
            then {{ postgres__date_from_parts(
                "substr(" ~ text ~ ", 1, 4)",
                "substr(" ~ text ~ ", 6, 2)",
                "substr(" ~ text ~ ", 9, 2)"
            ) }}
        when {{ text }} ~ {{ regex_literal('^(?:' ~ date_pattern('iso_timestamp') ~ ')$') }}
            then {{ postgres__date_from_parts(
                "substr(" ~ text ~ ", 1, 4)",
                "substr(" ~ text ~ ", 6, 2)",
                "substr(" ~ text ~ ", 9, 2)"
            ) }}
        when {{ text }} ~ {{ regex_literal('^(?:' ~ date_pattern('year_first') ~ ')$') }}
            then {{ postgres__date_from_parts(first, second, third) }}
        when {{ text }} ~ {{ regex_literal('^(?:' ~ date_pattern('year_last') ~ ')$') }}
            then {{ postgres__date_from_parts(
                third,
                first if date_order == 'mdy' else second,
                second if date_order == 'mdy' else first
            ) }}
    end
{%- endmacro %}

{#- Spark: its cast to date checks the day (February 30 gives null) and
    reads one-digit months and days; the patterns keep it to the grammar
    (\z, not $, ends the text, as $ also matches before a final newline in
    Java). Small expressions matter on Spark: they are planned once per
    reference. -#}
{% macro spark__parse_date(column, date_order) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set dashed = "translate(" ~ text ~ ", '/.', '--')" -%}
    {%- set first = "split_part(" ~ dashed ~ ", '-', 1)" -%}
    {%- set second = "split_part(" ~ dashed ~ ", '-', 2)" -%}
    {%- set third = "split_part(" ~ dashed ~ ", '-', 3)" -%}
    case
        when {{ text }} rlike {{ regex_literal('^(?:' ~ date_pattern('iso_date') ~ ')\\z') }}
            then try_cast({{ text }} as date)
        when {{ text }} rlike {{ regex_literal('^(?:' ~ date_pattern('iso_timestamp') ~ ')\\z') }}
            then try_cast(substr({{ text }}, 1, 10) as date)
        when {{ text }} rlike {{ regex_literal('^(?:' ~ date_pattern('year_first') ~ ')\\z') }}
            then try_cast({{ dashed }} as date)
        when {{ text }} rlike {{ regex_literal('^(?:' ~ date_pattern('year_last') ~ ')\\z') }}
            then try_cast(
                concat_ws(
                    '-',
                    {{ third }},
                    {{ first if date_order == 'mdy' else second }},
                    {{ second if date_order == 'mdy' else first }}
                ) as date
            )
    end
{%- endmacro %}

{#- The date of year, month and day given as digit text (already matched
    as digits), or null when there is no such day: month 1 to 12, day 1 to
    the length of that month (February 29 in leap years of the proleptic
    Gregorian calendar). Used where the engine's own date parser is lenient
    (PostgreSQL). -#}
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
