{#- Bills that look like the same bill entered twice: two unsuperseded clean
    bills on one account with the same start_date, bill_date,
    current_charges and currency (both missing counts as the same). One row
    per pair: document_id is the greater id, duplicate_of_document_id the
    smaller (ids compare as strings). Both still count: this is a finding
    for a person to judge, not a filter. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

current_documents as (

    select * from documents
    where not is_superseded

),

pairs as (

    select
        later.document_id,
        earlier.document_id as duplicate_of_document_id,
        later.account_id,
        later.start_date,
        later.bill_date,
        later.current_charges,
        later.currency
    from current_documents as later
    inner join current_documents as earlier
        on
            later.account_id = earlier.account_id
            and later.start_date = earlier.start_date
            and later.bill_date = earlier.bill_date
            and {{ null_safe_equals('later.currency', 'earlier.currency') }}
            and {{ null_safe_equals(
                'later.current_charges', 'earlier.current_charges'
            ) }}
            and {{ binary_collated('later.document_id') }}
            > {{ binary_collated('earlier.document_id') }}

)

select * from pairs
