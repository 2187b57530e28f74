{#- Parse numeric text into numeric(38,6): spaces and thousands separators
    are dropped, a leading sign is kept and scientific notation is read
    ("5e19"). `unit_pattern`, when given, is a regular expression for the
    column's own unit that may follow the number in any case ("45 kW" for
    demand: 'kw'). Blank or unparseable text gives null. The wide type lets
    a range check tell an out-of-range value from an unparseable one. -#}
{% macro parse_number(column, unit_pattern=none) -%}
    {{ return(adapter.dispatch('parse_number', 'utility_warehouse')(
        column, unit_pattern)) }}
{%- endmacro %}

{% macro default__parse_number(column, unit_pattern) -%}
    {{ exceptions.raise_compiler_error(
        "parse_number is not implemented for adapter " ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__parse_number(column, unit_pattern) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '\\s*(" ~ unit_pattern
            ~ ")$', '', 'i')" -%}
    {%- endif -%}
    try_cast(
        regexp_replace({{ text }}, '[\s,]', '', 'g') as decimal(38, 6)
    )
{%- endmacro %}

{#- The text of a number as DuckDB's cast to decimal(38, 6) reads it: digits
    with an optional sign, point and exponent ("1e5", ".5", "5."), a single
    underscore between two digits ("1_000"); a value that rounds (half away
    from zero, six decimals) to 10^32 or more is no number. `text` has no
    spaces left. Shared by parse_number and parse_amount on engines without
    DuckDB's try_cast. The exponent is at most four digits (DuckDB gives up
    at five). -#}
{% macro decimal_text_pattern() -%}
^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?0*[0-9]{1,4})?$
{%- endmacro %}

{% macro decimal_from_clean_text(text) -%}
    {{ return(adapter.dispatch('decimal_from_clean_text', 'utility_warehouse')(
        text)) }}
{%- endmacro %}

{% macro default__decimal_from_clean_text(text) -%}
    {{ exceptions.raise_compiler_error(
        "decimal_from_clean_text is not implemented for adapter "
        ~ adapter.type()) }}
{%- endmacro %}

{#- PostgreSQL has no try_cast: the text is matched first, and the range
    checked on the exact value before the cast to numeric(38, 6) (which
    rounds half away from zero and raises beyond 32 integer digits). -#}
{% macro postgres__decimal_from_clean_text(text) -%}
    {%- set digits = "regexp_replace(" ~ text ~ ", '([0-9])_(?=[0-9])', '\\1', 'g')" -%}
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
        from (select {{ digits }} as t) as clean
    )
{%- endmacro %}

{#- Spark: try_cast rounds half away from zero (HALF_UP) and gives null
    beyond the type; the pattern keeps its grammar to DuckDB's. -#}
{% macro spark__decimal_from_clean_text(text) -%}
    {%- set digits = "regexp_replace(" ~ text ~ ", '([0-9])_(?=[0-9])', '$1')" -%}
    case
        when {{ digits }} rlike '{{ decimal_text_pattern() | replace("$", "\\\\z") }}'
            then try_cast({{ digits }} as decimal(38, 6))
    end
{%- endmacro %}

{% macro postgres__parse_number(column, unit_pattern) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '[\\t\\n\\f\\r ]*(" ~ unit_pattern
            ~ ")$', '', 'i')" -%}
    {%- endif -%}
    {{ postgres__decimal_from_clean_text(
        "regexp_replace(" ~ text ~ ", '[\\t\\n\\f\\r ,]', '', 'g')"
    ) }}
{%- endmacro %}

{% macro spark__parse_number(column, unit_pattern) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- if unit_pattern -%}
        {%- set text = "regexp_replace(" ~ text ~ ", '(?i)[\\\\t\\\\n\\\\f\\\\r ]*("
            ~ unit_pattern ~ ")\\\\z', '')" -%}
    {%- endif -%}
    {{ spark__decimal_from_clean_text(
        "regexp_replace(" ~ text ~ ", '[\\\\t\\\\n\\\\f\\\\r ,]', '')"
    ) }}
{%- endmacro %}
