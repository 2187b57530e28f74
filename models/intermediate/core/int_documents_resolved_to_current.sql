{#- Each clean bill with its place in its revision chain. A bill whose
    revised_by_document_id is set has been superseded by that bill; chains
    resolve to the newest bill (current_document_id), revisions_since
    counts the revisions after it. Only bills nobody supersedes count.
    Screening walked the chains, quarantined loops and dropped links to
    bills that are not clean. -#}
with

documents as (

    select * from {{ ref('stg_utility__documents') }}

),

resolved as (

    select
        document_id,
        account_id,
        start_date,
        bill_date,
        total_charges,
        current_charges,
        currency,
        revised_by_document_id,
        revised_by_document_id is not null as is_superseded,
        current_document_id,
        revisions_since
    from documents

)

select * from resolved
