{#- The replaced-versions ledger: every raw row that lost to a newer version
    of the same key (latest updated_at, then the last row in the file), so
    that a reused id silently replacing a different record is visible.
    differs_from_winner tells a reused key (other values) from a record
    repeated as it was. -#}
with

portfolio_versions as (

    select * from {{ ref('int_portfolio_versions_replaced') }}

),

bill_versions as (

    select * from {{ ref('int_bill_versions_replaced') }}

),

carbon_versions as (

    select * from {{ ref('int_carbon_versions_replaced') }}

),

review_versions as (

    select * from {{ ref('int_review_versions_replaced') }}

),

replaced_versions as (

    select * from portfolio_versions
    union all
    select * from bill_versions
    union all
    select * from carbon_versions
    union all
    select * from review_versions

)

select * from replaced_versions
