{#- MetricFlow's time spine: one row per calendar day from the first
    plausible date (var plausible_date_min, 1950-01-01) up to 2100-01-01
    (excluded). MetricFlow joins metrics to it for offset windows (the
    year-over-year metrics) and needs one at day grain. -#}
with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('plausible_date_min') ~ "' as date)",
        "cast('2100-01-01' as date)"
    ) }}

),

final as (

    select cast(date_day as date) as date_day
    from days

)

select * from final
