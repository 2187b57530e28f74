{#- The exclusion ledger: every clean usage row that does not count in
    analytics, once, with its reason. Together with the counted rows and
    the quarantine it accounts for every raw usage row. -#}
with

assessed as (

    select * from {{ ref('int_usage_inclusion_assessed') }}

),

final as (

    select
        usage_id,
        meter_id,
        document_id,
        exclusion_reason,
        account_id,
        company_id,
        site_id,
        start_date,
        end_date,
        standard_usage,
        usage_unit
    from assessed
    where not is_counted

)

select * from final
