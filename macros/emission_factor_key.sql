{#- The key of a raw emission factor row: region and commodity trimmed in
    upper case, year trimmed, method trimmed in lower case, joined by |; null
    when the region is blank (quarantined as missing_id). The same key the
    seed's rows are replaced by (int_emission_factors). -#}
{% macro emission_factor_key(region, commodity, year, method) -%}
    case
        when not {{ is_blank(region) }}
            then
                upper(trim({{ region }}))
                || '|' || coalesce(upper(trim({{ commodity }})), '')
                || '|' || coalesce(trim({{ year }}), '')
                || '|' || coalesce(lower(trim({{ method }})), '')
    end
{%- endmacro %}
