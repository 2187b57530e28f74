{#- Each clean bill with its place in its revision chain. A bill whose
    revised_by_document_id is set has been superseded by that bill; the
    chain of revisions resolves to the newest bill (current_document_id),
    and revisions_since counts the revisions after it. Only bills nobody
    supersedes count. The links are the clean bills' revised_by_document_id:
    screening (int_documents_screened) quarantined loops and dropped links
    to bills that are not clean. currency is the bill's settled currency
    (int_document_currencies_resolved; null when it could not be settled),
    the one every cost figure carries. -#}
with

documents as (

    select * from {{ ref('int_documents_clean') }}

),

currencies as (

    select * from {{ ref('int_document_currencies_resolved') }}

),

revision_links as (

    select
        document_id,
        revised_by_document_id
    from documents
    where revised_by_document_id is not null

),

links_walked as (

    {{ walk_links('revision_links', 'document_id', 'revised_by_document_id') }}

),

chain_ends as (

    select
        start_id as document_id,
        reached_id as current_document_id,
        link_depth as revisions_since
    from (
        select
            links_walked.*,
            row_number() over (
                partition by links_walked.start_id
                order by links_walked.link_depth desc
            ) as depth_rank
        from links_walked
    ) as ranked_reaches
    where depth_rank = 1

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
        coalesce(chain_ends.current_document_id, documents.document_id)
            as current_document_id,
        coalesce(chain_ends.revisions_since, 0) as revisions_since
    from documents
    inner join currencies
        on documents.document_id = currencies.document_id
    left join chain_ends
        on documents.document_id = chain_ends.document_id

)

select * from resolved
