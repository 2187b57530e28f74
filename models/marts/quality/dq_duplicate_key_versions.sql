{#- The replaced-versions ledger: every raw row that lost to a newer version
    of the same key (latest updated_at, then the last row in the file), so
    that a reused id silently replacing a different record is visible.
    differs_from_winner tells a reused key (other values) from a record
    repeated as it was. -#}
{%- set entities = {
    'companies': ['id', 'name', 'implied_sewer_fraction'],
    'sites': [
        'id', 'company_id', 'name', 'address', 'city', 'region',
        'postal_code', 'country', 'gross_floor_area',
        'gross_floor_area_units', 'data_collection_stop_date',
        'mirror_site_id',
    ],
    'connections': ['id', 'company_id', 'provider_name'],
    'accounts': [
        'id', 'company_id', 'connection_id', 'account_number',
        'provider_name', 'status', 'active_account_id',
        'primary_identifier_type', 'secondary_identifier_type',
    ],
    'meters': [
        'id', 'company_id', 'account_id', 'site_id', 'datasource_type',
        'is_tracked', 'is_duplicated', 'service_address',
    ],
    'meter_identifiers': ['meter_id', 'identifier_type', 'value'],
    'meter_tags': ['meter_id', 'tag_name'],
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
{%- set keys = {
    'meter_identifiers': meter_identifier_key(
        'meter_id', 'identifier_type', 'value'
    ),
    'meter_tags': meter_tag_key('meter_id', 'tag_name'),
} -%}
with

replaced_versions as (

    {%- for entity, columns in entities.items() %}

        select
            '{{ entity }}' as entity,
            versions.*
        from (
            {{ replaced_record_versions(
                source('utility', entity), keys.get(entity, 'id'), columns
            ) }}
        ) as versions
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}

)

select * from replaced_versions
