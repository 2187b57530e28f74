{#- The date order of year-last dates ('mdy' or 'dmy'): the argument when
    given, else var date_order. Anything else stops the compilation with a
    message naming the setting. -#}
{% macro date_order_setting(date_order=none) -%}
    {%- set value = date_order if date_order is not none
        else var('date_order', 'mdy') -%}
    {%- if value not in ('mdy', 'dmy') -%}
        {{ exceptions.raise_compiler_error(
            "var date_order must be 'mdy' or 'dmy', not '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- The decimal separator of numbers and amounts ('.' or ','): the argument
    when given, else var decimal_separator. Anything else stops the
    compilation with a message naming the setting. -#}
{% macro decimal_separator_setting(decimal_separator=none) -%}
    {%- set value = decimal_separator if decimal_separator is not none
        else var('decimal_separator', '.') -%}
    {%- if value not in ('.', ',') -%}
        {{ exceptions.raise_compiler_error(
            "var decimal_separator must be '.' or ',', not '" ~ value ~ "'") }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}
