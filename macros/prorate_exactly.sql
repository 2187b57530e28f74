{#- The part of `amount` that falls between two points of a cumulative
    weight, in exact decimal arithmetic (never binary floating point):
        round(amount * weight_through / total_weight, 6)
      - round(amount * weight_before / total_weight, 6)
    rounding half away from zero. `weight_before` is the weight of the parts
    before this one, `weight_through` that weight plus this part's own. The
    sums telescope: the parts of one amount add up to it exactly, and every
    engine gives the same parts to the last decimal. Amounts and weights
    have at most six decimals; both are scaled to whole numbers of
    millionths so that the division is an integer division with an exact
    remainder (macro divide_half_away_from_zero). Result: numeric(28,6). -#}
{% macro prorate_exactly(amount, weight_before, weight_through, total_weight) -%}
    {%- set scaled_amount = scaled_to_micros(amount) -%}
    {%- set scaled_total = scaled_to_micros(total_weight) -%}
    cast(
        (
            {{ divide_half_away_from_zero(
                scaled_amount ~ ' * ' ~ scaled_to_micros(weight_through),
                scaled_total
            ) }}
            - {{ divide_half_away_from_zero(
                scaled_amount ~ ' * ' ~ scaled_to_micros(weight_before),
                scaled_total
            ) }}
        ) * cast(0.000001 as decimal(7, 6))
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}

{#- A value with at most six decimals as a whole number of millionths. -#}
{% macro scaled_to_micros(value) -%}
    cast(({{ value }}) * 1000000 as decimal(38, 0))
{%- endmacro %}
