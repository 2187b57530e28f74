{#- The field-issue ledger: every optional value of a clean record that
    could not be cleaned (it became null, a boolean its default, a link
    absent; a negative IMPORT usage is kept but weighs nothing in cost
    shares), with its entity, record, column, raw text and reason. The
    record itself was kept; quarantined records are in dq_quarantine with
    all their raw values instead. A bill's charges_units is judged once its
    currency is settled (int_document_currencies_resolved). The carbon
    inputs have no optional value whose failure keeps the record: an
    emission factor's or instrument's value that cannot be cleaned
    quarantines it. -#}
with

portfolio_issues as (

    select * from {{ ref('int_portfolio_field_issues_listed') }}

),

bill_issues as (

    select * from {{ ref('int_bill_field_issues_listed') }}

),

field_issues as (

    select * from portfolio_issues
    union all
    select * from bill_issues

)

select * from field_issues
