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
