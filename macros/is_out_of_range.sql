{#- True when a parsed number lies beyond the largest magnitude the
    warehouse keeps exactly (var max_abs_value, default 10^12): such a value
    is bad_number, checked before any arithmetic touches it. -#}
{% macro is_out_of_range(value) -%}
    (abs({{ value }}) > {{ var('max_abs_value') }})
{%- endmacro %}
