{#- Equality that treats two nulls as equal and still lets the engine hash
    join on it (an "a = b or both null" condition would not). -#}
{% macro null_safe_equals(left, right) -%}
    {{ return(adapter.dispatch('null_safe_equals', 'utility_warehouse')(
        left, right)) }}
{%- endmacro %}

{% macro default__null_safe_equals(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}

{% macro spark__null_safe_equals(left, right) -%}
    {{ left }} <=> {{ right }}
{%- endmacro %}
