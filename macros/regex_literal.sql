{#- A regular expression as a SQL string literal of the engine: quotes
    escaped, and on Spark backslashes doubled (its literals read backslash
    escapes). The patterns of the parsing grammar use no backslash except
    the ones an engine needs (Spark's end anchor, [^\n]). -#}
{% macro regex_literal(pattern) -%}
    {{ return(adapter.dispatch('regex_literal', 'utility_warehouse')(pattern)) }}
{%- endmacro %}

{% macro default__regex_literal(pattern) -%}
    '{{ pattern | replace("'", "''") }}'
{%- endmacro %}

{% macro spark__regex_literal(pattern) -%}
    '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}
