{#- The clean documents: rows that passed screening. -#}
with

screened_documents as (

    select * from {{ ref('int_documents_screened') }}

),

clean_documents as (

    select
        document_id,
        account_id,
        start_date,
        bill_date,
        total_charges,
        current_charges,
        charges_units,
        stated_currency,
        charges_units_status,
        revised_by_document_id
    from screened_documents
    where quarantine_reason is null

)

select * from clean_documents
