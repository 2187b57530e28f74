{#- The clean line items: rows that passed screening. -#}
with

screened_line_items as (

    select * from {{ ref('int_line_items_screened') }}

),

clean_line_items as (

    select
        line_item_id,
        document_id,
        meter_id,
        charge_type,
        commodity,
        description,
        amount
    from screened_line_items
    where quarantine_reason is null

)

select * from clean_line_items
