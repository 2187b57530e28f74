{#- The key of a raw meter tag row: meter and trimmed tag, or null when the
    meter is blank. -#}
{% macro meter_tag_key(meter_id, tag_name) -%}
    case
        when not {{ is_blank(meter_id) }}
            then trim({{ meter_id }}) || '|' || coalesce(trim({{ tag_name }}), '')
    end
{%- endmacro %}
