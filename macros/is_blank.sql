{#- True when the text is null, empty or only white space. -#}
{% macro is_blank(column) -%}
    (nullif(trim({{ column }}), '') is null)
{%- endmacro %}
