{#- The part of `amount` that falls between two points of a cumulative
    weight, so that parts always add up to the amount exactly:
        round(amount * weight_through / total_weight, 6)
      - round(amount * weight_before / total_weight, 6)
    `weight_before` is the weight of the parts before this one,
    `weight_through` that weight plus this part's own. The sums telescope:
    the parts of one amount add up to round(amount * total / total) =
    amount, whatever the rounding of each part. Result: numeric(28,6). -#}
{% macro prorate_exactly(amount, weight_before, weight_through, total_weight) -%}
    {%- set amount = '(' ~ amount ~ ')' -%}
    {%- set before = '(' ~ weight_before ~ ')' -%}
    {%- set through = '(' ~ weight_through ~ ')' -%}
    {%- set total = '(' ~ total_weight ~ ')' -%}
    cast(
        case
            when {{ through }} = {{ total }} then {{ amount }}
            else round({{ amount }} * {{ through }} / {{ total }}, 6)
        end
        - case
            when {{ before }} = 0 then 0
            else round({{ amount }} * {{ before }} / {{ total }}, 6)
        end
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
