{#- Every bill line item of the landing file (latest version per id), typed,
    with the reason it is quarantined (null = clean). Required: id,
    document_id, a known charge_type and an amount (within max_abs_value).
    Optional values that cannot be cleaned never cost the item
    (dq_field_issues): a meter_id naming no clean meter (orphan_meter,
    meter_quarantined), or a meter of another company than the bill's
    (bill -> account -> company: foreign_meter, so that a company's money
    never lands in another company), is dropped (the item is attributed as
    if it named none) and an unknown datasource_type becomes null.
    raw_values (the row's raw text as JSON) is kept for the rows that are
    quarantined or have a field issue, the only ones that show it. -#}
with

raw_line_items as (

    select * from {{ ref('stg_utility__line_items') }}

),

documents as (

    select * from {{ ref('int_documents_screened') }}

),

accounts as (

    select * from {{ ref('int_accounts_screened') }}

),

meters as (

    select * from {{ ref('int_meters_screened') }}

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
        {{ parse_amount('amount') }} as parsed_amount
    from latest_versions

),

checked as (

    select
        parsed.*,
        charge_types.charge_type as known_charge_type,
        commodities.commodity as known_commodity,
        {{ unparsed_flag(
            'parsed.updated_at', parse_timestamp('parsed.updated_at')
        ) }} as updated_at_unparsed,
        case
            when parsed.line_item_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.document_id') }}
                then 'bad_id'
            when parsed.parsed_amount is null then 'bad_amount'
            when {{ is_out_of_range('parsed.parsed_amount') }}
                then 'bad_number'
            when charge_types.charge_type is null then 'unknown_charge_type'
            when documents.document_id is null then 'orphan_document'
            when documents.quarantine_reason is not null
                then 'document_quarantined'
        end as quarantine_reason,
        case
            when parsed.parsed_meter_id is null then null
            when {{ is_json_container('parsed.meter_id') }} then 'bad_id'
            when meters.meter_id is null then 'orphan_meter'
            when meters.quarantine_reason is not null
                then 'meter_quarantined'
            when meters.company_id != accounts.company_id
                then 'foreign_meter'
        end as meter_id_issue,
        case
            when
                parsed.parsed_commodity is not null
                and commodities.commodity is null
                then 'unknown_commodity'
        end as datasource_type_issue
    from parsed
    left join charge_types
        on parsed.parsed_charge_type = charge_types.charge_type
    left join commodities
        on parsed.parsed_commodity = commodities.commodity
    left join documents
        on parsed.parsed_document_id = documents.document_id
    left join accounts
        on documents.account_id = accounts.account_id
    left join meters
        on parsed.parsed_meter_id = meters.meter_id

),

screened as (

    select
        line_item_id as record_id,
        line_item_id,
        parsed_document_id as document_id,
        case when meter_id_issue is null then parsed_meter_id end as meter_id,
        parsed_charge_type as charge_type,
        case
            when datasource_type_issue is null then parsed_commodity
        end as commodity,
        {{ clean_text('description') }} as description,
        case
            when quarantine_reason is null
                then cast(parsed_amount as {{ dbt.type_numeric() }})
        end as amount,
        meter_id_issue,
        datasource_type_issue,
        {{ unparsed_flag('amount', 'parsed_amount') }} as amount_unparsed,
        {{ unparsed_flag('charge_type', 'known_charge_type') }}
            as charge_type_unparsed,
        {{ unparsed_flag('datasource_type', 'known_commodity') }}
            as datasource_type_unparsed,
        updated_at_unparsed,
        quarantine_reason,
        case
            when
                quarantine_reason is not null
                or meter_id_issue is not null
                or datasource_type_issue is not null
                or coalesce(updated_at_unparsed, false)
                then
                    {{ json_object_text([
                        'id', 'document_id', 'meter_id', 'charge_type',
                        'datasource_type', 'description', 'amount',
                        'updated_at'
                    ]) }}
        end as raw_values
    from checked

)

select * from screened
