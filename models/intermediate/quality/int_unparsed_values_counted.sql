{#- Every raw value of a parsed column (macro parsed_columns) that could not
    be parsed, trimmed, with the number of records (latest version per key)
    that hold it: dates, timestamps, numbers, amounts, booleans,
    enumerations, units and countries from the screening models' flags, and
    a charges_units whose currency could not be settled (unknown, or an
    ambiguous or missing one the bill's sites do not settle) from
    int_document_currencies_resolved. The ground of dq_unparsed_shares and
    dq_rejected_values. -#}
with

portfolio_values as (

    select * from {{ ref('int_portfolio_unparsed_values_counted') }}

),

bill_values as (

    select * from {{ ref('int_bill_unparsed_values_counted') }}

),

carbon_values as (

    select * from {{ ref('int_carbon_unparsed_values_counted') }}

),

review_values as (

    select * from {{ ref('int_review_unparsed_values_counted') }}

),

counted as (

    select * from portfolio_values
    union all
    select * from bill_values
    union all
    select * from carbon_values
    union all
    select * from review_values

)

select * from counted
