{#- Each clean bill with its place in its revision chain. A bill whose
    revised_by_document_id is set has been superseded by that bill; chains
    resolve to the newest bill (current_document_id). Only bills nobody
    supersedes count. A chain that loops, or leaves the clean bills, has no
    current bill (null). -#}
with recursive

documents as (

    select * from {{ ref('stg_utility__documents') }}

),

revision_walk as (

    select
        document_id,
        document_id as reached_document_id,
        revised_by_document_id as reached_revised_by_document_id,
        0 as revision_depth,
        '|' || document_id || '|' as visited_path
    from documents
    where revised_by_document_id is not null

    union all

    select
        revision_walk.document_id,
        documents.document_id as reached_document_id,
        documents.revised_by_document_id as reached_revised_by_document_id,
        revision_walk.revision_depth + 1 as revision_depth,
        revision_walk.visited_path || documents.document_id || '|'
            as visited_path
    from revision_walk
    inner join documents
        on revision_walk.reached_revised_by_document_id = documents.document_id
    where
        {{ dbt.position("'|' || documents.document_id || '|'",
                        'revision_walk.visited_path') }} = 0

),

chain_ends as (

    select
        document_id,
        reached_document_id as current_document_id,
        revision_depth
    from revision_walk
    where reached_revised_by_document_id is null

),

resolved as (

    select
        documents.document_id,
        documents.account_id,
        documents.start_date,
        documents.bill_date,
        documents.total_charges,
        documents.current_charges,
        documents.currency,
        documents.revised_by_document_id,
        documents.revised_by_document_id is not null as is_superseded,
        case
            when documents.revised_by_document_id is null
                then documents.document_id
            else chain_ends.current_document_id
        end as current_document_id,
        case
            when documents.revised_by_document_id is null then 0
            else chain_ends.revision_depth
        end as revisions_since
    from documents
    left join chain_ends
        on documents.document_id = chain_ends.document_id

)

select * from resolved
