{#- The grammar of dates, once for every engine: the regular expression
    (without anchors; digits as [0-9], no backslash) of one form of date
    text, trimmed:
      iso_date       YYYY-MM-DD, the plain form (read first, by a cast)
      iso_timestamp  YYYY-MM-DD then T or a space and anything: the date as
                     written, no time-zone shift
      year_first     YYYY-M-D, YYYY/M/D or YYYY.M.D (one or two digits, the
                     same separator twice)
      year_last      A-B-YYYY, A/B/YYYY or A.B.YYYY (the same separator
                     twice): month then day under date_order mdy, day then
                     month under dmy
    A two-digit year matches no form. The engines' parse_date reads the
    parts and refuses impossible days (a 13th month, February 30). -#}
{% macro date_pattern(form) -%}
    {%- set day = '[0-9]{1,2}' -%}
    {%- set forms = {
        'iso_date': '[0-9]{4}-[0-9]{2}-[0-9]{2}',
        'iso_timestamp': '[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][^\\n]*',
        'year_first': '[0-9]{4}(?:-' ~ day ~ '-|/' ~ day ~ '/|[.]' ~ day
            ~ '[.])' ~ day,
        'year_last': day ~ '(?:-' ~ day ~ '-|/' ~ day ~ '/|[.]' ~ day
            ~ '[.])[0-9]{4}',
    } -%}
    {%- if form not in forms -%}
        {{ exceptions.raise_compiler_error("date_pattern: unknown form " ~ form) }}
    {%- endif -%}
    {{ return(forms[form]) }}
{%- endmacro %}
