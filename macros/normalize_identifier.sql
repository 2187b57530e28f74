{#- Normalize an identifier value for matching: upper case with spaces,
    dashes, dots, underscores and slashes removed. Blank gives null. -#}
{% macro normalize_identifier(column) -%}
    nullif(
        upper(regexp_replace({{ column }}, '[\s\-\._/]', '', 'g')), ''
    )
{%- endmacro %}
