{#- The order of the versions of one key, newest first: the latest
    updated_at (unparseable or missing counts as oldest), then the last row
    in the file. An ORDER BY list for a window over raw rows. -#}
{% macro record_version_order() -%}
    {{ parse_timestamp('updated_at') }} desc nulls last, _row_number desc
{%- endmacro %}
