{#- The key of a raw meter identifier row: meter, normalized type and
    normalized value, or null when the meter is blank. The same identifier
    written twice ("12-34" and "1234", "pod" and "POD") is one record. -#}
{% macro meter_identifier_key(meter_id, identifier_type, value) -%}
    case
        when not {{ is_blank(meter_id) }}
            then
                trim({{ meter_id }})
                || '|' || coalesce({{ normalize_enum(identifier_type) }}, '')
                || '|' || coalesce({{ normalize_identifier(value) }}, '')
    end
{%- endmacro %}
