{#- The grammar of numbers and amounts, once for every engine: the regular
    expression (without anchors; no backslash) of a number written with
    `decimal_separator` ('.' or ','):
      an optional leading + or -;
      an integer part: plain digits, or groups of exactly three after a head
        of one to three digits joined by one grouping character used
        throughout: under '.' a comma (1,234,567), under ',' a point
        (1.234.567), under both an apostrophe (' or ’), a space, a no-break
        space (U+00A0) or a narrow no-break space (U+202F); under '.' also
        the Indian grouping (1,23,45,678: a head of one or two digits,
        pairs, then three);
      an optional fraction: the decimal separator and digits (".5" alone
        too).
    `exponent`: plain ungrouped numbers may also carry an exponent (5e19).
    Under '.', "12,5", "1,23" and "1,2345" match nothing (never 125 or 123);
    under ',', "1.5" matches nothing. number_group_characters lists what is
    removed once a value matched. -#}
{% macro number_pattern(decimal_separator, exponent=false) -%}
    {%- set point = '[.]' if decimal_separator == '.' else ',' -%}
    {%- set integer_forms = ['[0-9]+'] -%}
    {%- for separator in number_group_characters(decimal_separator) -%}
        {%- set joint = '[' ~ separator ~ ']' -%}
        {%- do integer_forms.append(
            '[0-9]{1,3}(?:' ~ joint ~ '[0-9]{3})+') -%}
    {%- endfor -%}
    {%- if decimal_separator == '.' -%}
        {%- do integer_forms.append('[0-9]{1,2}(?:,[0-9]{2})+,[0-9]{3}') -%}
    {%- endif -%}
    {%- set body = '(?:(?:' ~ integer_forms | join('|') ~ ')(?:' ~ point
        ~ '[0-9]+)?|' ~ point ~ '[0-9]+)' -%}
    {%- if exponent -%}
        {%- set body = '(?:' ~ body ~ '|(?:[0-9]+(?:' ~ point ~ '[0-9]+)?|'
            ~ point ~ '[0-9]+)[eE][+-]?[0-9]+)' -%}
    {%- endif -%}
    {{ return('[+-]?' ~ body) }}
{%- endmacro %}

{#- The grouping characters of numbers written with `decimal_separator`:
    the other separator, the apostrophes ' and ’, a space, a no-break space
    and a narrow no-break space. -#}
{% macro number_group_characters(decimal_separator) -%}
    {{ return([
        ',' if decimal_separator == '.' else '.',
        "'", '’', ' ', ' ', ' '
    ]) }}
{%- endmacro %}

{#- The regular expression of a plainly formatted number (digits, an
    optional sign and decimal part): read with a plain cast, before the
    whole grammar. -#}
{% macro plain_number_pattern(decimal_separator) -%}
    {%- set point = '[.]' if decimal_separator == '.' else ',' -%}
    {{ return('[+-]?[0-9]+(?:' ~ point ~ '[0-9]+)?') }}
{%- endmacro %}
