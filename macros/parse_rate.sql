{#- Parse a per-kWh rate (an emission factor) exactly, to 21 decimals: the
    text must be a number by the grammar of parse_number (decimal_separator
    honoured); its grouping characters are then removed and a decimal comma
    turned into a point before an exact cast, so that 0.00000544310844 keeps
    every digit (parse_number keeps six). Null when the text is blank or
    not a number. -#}
{% macro parse_rate(column) -%}
    case
        when ({{ parse_number(column) }}) is not null
            then cast(
                {{ number_clean_text(
                    'trim(' ~ column ~ ')', decimal_separator_setting()
                ) }} as decimal(38, 21)
            )
    end
{%- endmacro %}
