{#- Quality gate: no money appears or disappears in cost attribution. For
    every bill nobody supersedes, the costs attributed to its meters plus
    what the unattributed-cost ledger holds for it equal what it charges:
    its current_charges, or the sum of its line items when it has no
    current_charges. Fails with one row per bill that differs. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

bill_meter_costs as (

    select * from {{ ref('fct_bill_meter_costs') }}

),

unattributed as (

    select * from {{ ref('fct_unattributed_bill_costs') }}

),

line_item_totals as (

    select
        document_id,
        sum(amount) as line_item_amount
    from line_items
    group by document_id

),

charged as (

    select
        documents.document_id,
        documents.currency,
        coalesce(
            documents.current_charges, line_item_totals.line_item_amount, 0
        ) as charged_amount
    from documents
    left join line_item_totals
        on documents.document_id = line_item_totals.document_id
    where not documents.is_superseded

),

accounted as (

    select
        document_id,
        sum(attributed_cost) as accounted_amount
    from bill_meter_costs
    group by document_id

    union all

    select
        document_id,
        unattributed_cost as accounted_amount
    from unattributed

),

accounted_per_bill as (

    select
        document_id,
        sum(accounted_amount) as accounted_amount
    from accounted
    group by document_id

),

compared as (

    select
        coalesce(charged.document_id, accounted_per_bill.document_id)
            as document_id,
        charged.currency,
        charged.charged_amount,
        accounted_per_bill.accounted_amount
    from charged
    full outer join accounted_per_bill
        on charged.document_id = accounted_per_bill.document_id

)

select *
from compared
where coalesce(charged_amount, 0) != coalesce(accounted_amount, 0)
