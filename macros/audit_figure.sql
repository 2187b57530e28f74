{#- A bill audit's figure as text: whole days and reads as integers, unit
    costs to four decimals, money and intensities to two. -#}
{% macro audit_figure(column) -%}
    case
        when
            audit in (
                'estimated_streak', 'usage_outside_bill_period', 'stale_meter'
            )
            then cast(
                cast(round({{ column }}, 0) as bigint) as {{ dbt.type_string() }}
            )
        when audit = 'unit_cost_outlier'
            then cast(round({{ column }}, 4) as {{ dbt.type_string() }})
        else cast(round({{ column }}, 2) as {{ dbt.type_string() }})
    end
{%- endmacro %}
