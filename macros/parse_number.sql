{#- Parse numeric text into numeric(38,6) by the number grammar of
    number_pattern (the decimal separator of var decimal_separator, or of
    the argument): grouped thousands, the Indian grouping, apostrophes and
    (narrow) no-break spaces; an exponent on plain numbers ("5e19").
    `unit_pattern`, when given, is a regular expression of the column's own
    unit that may follow the number in any case ("45 kW" for demand:
    'kw'). A plainly formatted value is read by a plain cast first; only
    the rest goes through the grammar. Blank text, or text outside the
    grammar ("12,5" under '.'), gives null. The wide type lets a range
    check tell an out-of-range value from an unparseable one; rounding is
    half away from zero. -#}
{% macro parse_number(column, unit_pattern=none, decimal_separator=none) -%}
    {{ return(adapter.dispatch('parse_number', 'utility_warehouse')(
        column, unit_pattern,
        decimal_separator_setting(decimal_separator))) }}
{%- endmacro %}

{#- The text of a number that matched the grammar as plain decimal text:
    grouping characters removed, a decimal comma turned into a point. -#}
{% macro number_clean_text(text, decimal_separator) -%}
    {%- set removed = number_group_characters(decimal_separator) | join('') -%}
    {%- if decimal_separator == ',' -%}
        translate({{ text }}, {{ sql_string_literal(',' ~ removed) }}, '.')
    {%- else -%}
        translate({{ text }}, {{ sql_string_literal(removed) }}, '')
    {%- endif -%}
{%- endmacro %}

{#- The text of a plainly formatted number as plain decimal text. -#}
{% macro plain_number_text(text, decimal_separator) -%}
    {%- if decimal_separator == ',' -%}
        replace({{ text }}, ',', '.')
    {%- else -%}
        {{ text }}
    {%- endif -%}
{%- endmacro %}

{% macro duckdb__parse_number(column, unit_pattern, decimal_separator) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '\\s*(" ~ unit_pattern
            ~ ")$', '', 'i')" -%}
    {%- endif -%}
    case
        when regexp_full_match(
            {{ text }}, {{ regex_literal(plain_number_pattern(decimal_separator)) }}
        )
            then try_cast(
                {{ plain_number_text(text, decimal_separator) }} as decimal(38, 6)
            )
        when regexp_full_match(
            {{ text }},
            {{ regex_literal(number_pattern(decimal_separator, exponent=true)) }}
        )
            then try_cast(
                {{ number_clean_text(text, decimal_separator) }} as decimal(38, 6)
            )
    end
{%- endmacro %}

{#- The text of a number as DuckDB's cast to decimal(38, 6) reads it: digits
    with an optional sign, point and exponent ("1e5", ".5", "5."), a single
    underscore between two digits ("1_000"); a value that rounds (half away
    from zero, six decimals) to 10^32 or more is no number. `text` has no
    spaces left. Shared by parse_number and parse_amount on engines without
    DuckDB's try_cast, after the grammar matched. The exponent is at most
    four digits (DuckDB gives up at five). -#}
{% macro decimal_text_pattern() -%}
^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?0*[0-9]{1,4})?$
{%- endmacro %}

{#- PostgreSQL has no try_cast: the text is matched first, and the range
    checked on the exact value before the cast to numeric(38, 6) (which
    rounds half away from zero and raises beyond 32 integer digits). -#}
{% macro postgres__decimal_from_clean_text(text) -%}
    (
        select
            case
                when clean.t ~ '{{ decimal_text_pattern() }}'
                    then case
                        when
                            abs(cast(clean.t as numeric))
                            < 99999999999999999999999999999999.9999995
                            then cast(cast(clean.t as numeric) as decimal(38, 6))
                    end
            end
        from (select {{ text }} as t) as clean
    )
{%- endmacro %}

{#- Spark: try_cast rounds half away from zero (HALF_UP) and gives null
    beyond the type; the pattern keeps its grammar to DuckDB's. -#}
{% macro spark__decimal_from_clean_text(text) -%}
    case
        when {{ text }} rlike '{{ decimal_text_pattern() | replace("$", "\\\\z") }}'
            then try_cast({{ text }} as decimal(38, 6))
    end
{%- endmacro %}

{#- PostgreSQL: the value is trimmed (and its unit removed) once, in a
    scalar subquery; [\t\n\f\r ] stands for RE2's \s. -#}
{% macro postgres__parse_number(column, unit_pattern, decimal_separator) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '[\\t\\n\\f\\r ]*(" ~ unit_pattern
            ~ ")$', '', 'i')" -%}
    {%- endif -%}
    (
        select
            case
                when number_text.t ~ {{ regex_literal(
                    '^(?:' ~ plain_number_pattern(decimal_separator) ~ ')$') }}
                    then {{ postgres__decimal_from_clean_text(
                        plain_number_text('number_text.t', decimal_separator)) }}
                when number_text.t ~ {{ regex_literal(
                    '^(?:' ~ number_pattern(decimal_separator, exponent=true)
                    ~ ')$') }}
                    then {{ postgres__decimal_from_clean_text(
                        number_clean_text('number_text.t', decimal_separator)) }}
            end
        from (select {{ text }} as t) as number_text
    )
{%- endmacro %}

{#- Spark: \z, not $, ends the text ($ also matches before a final newline
    in Java). -#}
{% macro spark__parse_number(column, unit_pattern, decimal_separator) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '(?i)[\\\\t\\\\n\\\\f\\\\r ]*("
            ~ unit_pattern ~ ")\\\\z', '')" -%}
    {%- endif -%}
    case
        when {{ text }} rlike {{ regex_literal(
            '^(?:' ~ plain_number_pattern(decimal_separator) ~ ')\\z') }}
            then {{ spark__decimal_from_clean_text(
                plain_number_text(text, decimal_separator)) }}
        when {{ text }} rlike {{ regex_literal(
            '^(?:' ~ number_pattern(decimal_separator, exponent=true) ~ ')\\z') }}
            then {{ spark__decimal_from_clean_text(
                number_clean_text(text, decimal_separator)) }}
    end
{%- endmacro %}
