{#- True when the text contains a match of the regular expression
    `pattern` (a Jinja string), letters matched in any case; null when the
    text is null. Dispatched: each engine spells a case-insensitive search
    its own way. -#}
{% macro matches_in_any_case(text, pattern) -%}
    {{ return(adapter.dispatch('matches_in_any_case', 'utility_warehouse')(
        text, pattern)) }}
{%- endmacro %}

{% macro default__matches_in_any_case(text, pattern) -%}
    regexp_matches({{ text }}, {{ regex_literal(pattern) }}, 'i')
{%- endmacro %}

{% macro postgres__matches_in_any_case(text, pattern) -%}
    ({{ text }} ~* {{ regex_literal(pattern) }})
{%- endmacro %}

{#- Spark (Java regular expressions): the embedded flag (?i). -#}
{% macro spark__matches_in_any_case(text, pattern) -%}
    ({{ text }} rlike {{ regex_literal('(?i)' ~ pattern) }})
{%- endmacro %}
