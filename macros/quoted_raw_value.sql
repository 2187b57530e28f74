{#- A text expression between single quotes ('13/01/2025'), for details and
    samples a person reads; null stays null. The quote is written as each
    engine's literal (Spark reads two quotes in a row as two literals). -#}
{% macro quoted_text(expression) -%}
    {{ sql_string_literal("'") }} || {{ expression }} || {{ sql_string_literal("'") }}
{%- endmacro %}

{#- A raw value of a raw_values JSON column as quoted text for a reason
    detail ('13/01/2025'), or the word empty when it is missing or blank
    (the file formats write an empty value as null or as ""). -#}
{% macro quoted_raw_value(raw_values, key) -%}
    {%- set value = json_text_value(raw_values, key) -%}
    coalesce(
        {{ quoted_text('case when trim(' ~ value ~ ") != '' then " ~ value ~ ' end') }},
        'empty'
    )
{%- endmacro %}
