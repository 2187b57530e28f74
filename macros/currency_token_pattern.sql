{#- The regular expression (no anchors, no backslash) of one currency token
    of an amount: a three-letter code in any case, or a symbol or prefix of
    currency_symbols() in any case. Letters are written as [xX] classes and
    other characters as one-character classes, so that no engine needs a
    case-insensitive flag (their flags treat non-ASCII letters
    differently); a space inside a symbol (F CFA) may be any blank or none. -#}
{% macro currency_token_pattern() -%}
    {%- set alternatives = [] -%}
    {%- for symbol in currency_symbols() -%}
        {%- set parts = [] -%}
        {%- for character in symbol -%}
            {%- if character == ' ' -%}
                {%- do parts.append('[   ]?') -%}
            {%- elif character | lower != character | upper -%}
                {%- do parts.append(
                    '[' ~ character | lower ~ character | upper ~ ']') -%}
            {%- else -%}
                {%- do parts.append('[' ~ character ~ ']') -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do alternatives.append(parts | join('')) -%}
    {%- endfor -%}
    {#- Codes last: engines that take the first alternative that matches
        read CFPF as a symbol, not CFP. -#}
    {%- do alternatives.append('[A-Za-z]{3}') -%}
    {{ return('(?:' ~ alternatives | join('|') ~ ')') }}
{%- endmacro %}
