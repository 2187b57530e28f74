{#- Each clean bill with its place in its revision chain. A bill whose
    revised_by_document_id is set has been superseded by that bill; chains
    resolve to the newest bill (current_document_id), revisions_since
    counts the revisions after it. Only bills nobody supersedes count.
    Screening walked the chains, quarantined loops and dropped links to
    bills that are not clean. currency is the bill's settled currency
    (int_document_currencies_resolved; null when it could not be settled),
    the one every cost figure carries. -#}
with

documents as (

    select * from {{ ref('int_documents_clean') }}

),

currencies as (

    select * from {{ ref('int_document_currencies_resolved') }}

),

resolved as (

    select
        documents.document_id,
        documents.account_id,
        documents.start_date,
        documents.bill_date,
        documents.total_charges,
        documents.current_charges,
        currencies.currency,
        documents.revised_by_document_id,
        documents.revised_by_document_id is not null as is_superseded,
        documents.current_document_id,
        documents.revisions_since
    from documents
    inner join currencies
        on documents.document_id = currencies.document_id

)

select * from resolved
