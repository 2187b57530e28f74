{#- The unattributed-cost ledger: every bill nobody supersedes whose charges
    cannot be attributed, with the reason: unknown_currency (its currency
    could not be settled: currency null; see
    int_document_currencies_resolved), else no_meter_on_bill (no clean usage
    row and no clean line item naming a meter). The whole amount is here:
    current_charges, or the sum of its line items when the bill has no
    current_charges. Per currency (null as one group), the attributed costs
    (fct_bill_meter_costs) plus these equal what the bills charge. -#}
with

documents as (

    select * from {{ ref('int_documents_resolved_to_current') }}

),

accounts as (

    select * from {{ ref('int_accounts_clean') }}

),

bill_meters as (

    select * from {{ ref('int_bill_meters_collected') }}

),

line_items as (

    select * from {{ ref('int_line_items_clean') }}

),

billed_documents as (

    select distinct document_id from bill_meters

),

line_item_totals as (

    select
        document_id,
        sum(amount) as line_item_amount
    from line_items
    group by document_id

),

unattributed as (

    select
        documents.document_id,
        documents.account_id,
        accounts.company_id,
        documents.currency,
        documents.current_charges,
        cast(
            coalesce(
                documents.current_charges, line_item_totals.line_item_amount
            ) as {{ dbt.type_numeric() }}
        ) as unattributed_cost,
        documents.start_date,
        documents.bill_date,
        case
            when documents.currency is null then 'unknown_currency'
            else 'no_meter_on_bill'
        end as reason
    from documents
    inner join accounts
        on documents.account_id = accounts.account_id
    left join billed_documents
        on documents.document_id = billed_documents.document_id
    left join line_item_totals
        on documents.document_id = line_item_totals.document_id
    where
        not documents.is_superseded
        and (
            billed_documents.document_id is null
            or documents.currency is null
        )

),

final as (

    select * from unattributed
    where unattributed_cost != 0

)

select * from final
