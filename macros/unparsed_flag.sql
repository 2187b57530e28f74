{#- Whether a raw value could not be parsed, for the unparsed-share gate
    (dq_unparsed_shares): null when the raw text is blank, else true when
    the parsed expression is null. -#}
{% macro unparsed_flag(raw_column, parsed_expression) -%}
    case
        when {{ is_blank(raw_column) }} then null
        else ({{ parsed_expression }}) is null
    end
{%- endmacro %}
