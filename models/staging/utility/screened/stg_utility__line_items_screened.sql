{#- Every bill line item of the landing file (latest version per id), typed,
    with the reason it is quarantined (null = clean). -#}
with

raw_line_items as (

    select * from {{ source('utility', 'line_items') }}

),

documents as (

    select * from {{ ref('stg_utility__documents_screened') }}

),

meters as (

    select * from {{ ref('stg_utility__meters_screened') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

charge_types as (

    select enum_value as charge_type
    from {{ ref('enumerations') }}
    where enumeration = 'charge_type'

),

latest_versions as (

    {{ latest_record_per_key('raw_line_items', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as line_item_id,
        {{ clean_text('document_id') }} as parsed_document_id,
        {{ clean_text('meter_id') }} as parsed_meter_id,
        {{ normalize_enum('charge_type') }} as parsed_charge_type,
        {{ normalize_enum('datasource_type') }} as parsed_commodity,
        {{ parse_number('amount') }} as parsed_amount
    from latest_versions

),

screened as (

    select
        parsed.line_item_id as record_id,
        parsed.line_item_id,
        parsed.parsed_document_id as document_id,
        parsed.parsed_meter_id as meter_id,
        parsed.parsed_charge_type as charge_type,
        parsed.parsed_commodity as commodity,
        {{ clean_text('parsed.description') }} as description,
        parsed.parsed_amount as amount,
        case
            when parsed.line_item_id is null then 'missing_id'
            when parsed.parsed_amount is null then 'bad_amount'
            when charge_types.charge_type is null then 'unknown_charge_type'
            when
                parsed.parsed_commodity is not null
                and commodities.commodity is null
                then 'unknown_commodity'
            when documents.document_id is null then 'orphan_document'
            when documents.quarantine_reason is not null
                then 'document_quarantined'
            when parsed.parsed_meter_id is not null and meters.meter_id is null
                then 'orphan_meter'
            when meters.quarantine_reason is not null
                then 'meter_quarantined'
        end as quarantine_reason,
        {{ json_object_text([
            'id', 'document_id', 'meter_id', 'charge_type', 'datasource_type',
            'description', 'amount', 'updated_at'
        ], 'parsed') }} as raw_values
    from parsed
    left join charge_types
        on parsed.parsed_charge_type = charge_types.charge_type
    left join commodities
        on parsed.parsed_commodity = commodities.commodity
    left join documents
        on parsed.parsed_document_id = documents.document_id
    left join meters
        on parsed.parsed_meter_id = meters.meter_id

)

select * from screened
