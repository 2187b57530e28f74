{#- A site's gross floor area in square feet: SQ_FT as given, SQ_M times
    10.7639 (1 m2 = 10.7639 ft2); null when the unit is unknown. -#}
{% macro floor_area_ft2(area='gross_floor_area', units='gross_floor_area_units') -%}
    cast(
        case
            when {{ units }} = 'SQ_FT' then {{ area }}
            when {{ units }} = 'SQ_M'
                then {{ area }} * cast(10.7639 as decimal(8, 4))
        end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
