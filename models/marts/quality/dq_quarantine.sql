{#- Every raw row that could not be cleaned, with its entity, key, reason,
    a detail a person can act on, and raw values. One row per rejected
    record (after de-duplication by key). reason_detail (macro
    quarantine_reason_detail) names, for an enumeration, the column, the
    rejected value and the accepted values; for a cascade, the parent
    entity and id and the parent's reason; for a bad or missing value, the
    column and the value. -#}
with

portfolio_records as (

    select * from {{ ref('int_portfolio_records_quarantined') }}

),

bill_records as (

    select * from {{ ref('int_bill_records_quarantined') }}

),

carbon_records as (

    select * from {{ ref('int_carbon_records_quarantined') }}

),

review_records as (

    select * from {{ ref('int_review_records_quarantined') }}

),

quarantined as (

    select * from portfolio_records
    union all
    select * from bill_records
    union all
    select * from carbon_records
    union all
    select * from review_records

)

select * from quarantined
