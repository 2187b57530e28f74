{#- Normalize enumeration text: trimmed, upper case, runs of spaces and
    hyphens turned into one underscore ("Old account", "old-account" ->
    OLD_ACCOUNT). Blank text gives null. -#}
{% macro normalize_enum(column) -%}
    nullif(
        upper(regexp_replace(trim({{ column }}), '[\s\-]+', '_', 'g')), ''
    )
{%- endmacro %}
