{#- The replaced versions of the bills' records (documents, usage data,
    line items): every landed row that lost to a newer version of the same
    id (latest updated_at, then the last row in the file), read from the
    staging views (see replaced_record_versions). dq_duplicate_key_versions
    lists them with the portfolio's (int_portfolio_versions_replaced). -#}
{%- set entities = {
    'documents': [
        'id', 'account_id', 'start_date', 'bill_date', 'total_charges',
        'current_charges', 'charges_units', 'revised_document_id',
    ],
    'usage_data': [
        'id', 'document_id', 'meter_id', 'start_date', 'end_date',
        'raw_usage', 'raw_usage_units', 'standard_usage', 'exclusion',
        'net_metering_type', 'demand', 'extracted_identifiers',
        'is_estimated',
    ],
    'line_items': [
        'id', 'document_id', 'meter_id', 'charge_type', 'datasource_type',
        'description', 'amount',
    ],
} -%}
with

replaced_versions as (

    {{ replaced_versions_of_entities(entities) }}

)

select * from replaced_versions
