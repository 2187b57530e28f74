{#- round(numerator / denominator, 6), half away from zero, exactly: both
    have at most six decimals, so the quotient in millionths is
    (numerator x 10^12) / (denominator x 10^6), an integer division with an
    exact remainder (divide_half_away_from_zero). Result: numeric(28,6).
    The denominator must not be zero. -#}
{% macro quotient_to_micros(numerator, denominator) -%}
    cast(
        {{ divide_half_away_from_zero(
            scaled_to_micros(numerator) ~ ' * 1000000',
            scaled_to_micros(denominator)
        ) }} * cast(0.000001 as decimal(7, 6))
        as {{ dbt.type_numeric() }}
    )
{%- endmacro %}
