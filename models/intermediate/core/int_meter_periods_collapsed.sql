{#- A meter's periods, the unit of the data-quality checks: its counted
    usage rows that are IMPORT and not exclusion, collapsed per bill into
    one period from the earliest start to the latest end (both days
    included). Counted rows belong to tracked, non-duplicated meters.
    has_estimated_read: at least one of those rows is an estimated read. -#}
with

assessed as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

periods as (

    select
        meter_id,
        document_id,
        min(start_date) as period_start,
        max(end_date) as period_end,
        max(case when is_estimated then 1 else 0 end) = 1
            as has_estimated_read
    from assessed
    where
        is_counted
        and net_metering_type = 'IMPORT'
        and not is_exclusion
    group by meter_id, document_id

)

select * from periods
