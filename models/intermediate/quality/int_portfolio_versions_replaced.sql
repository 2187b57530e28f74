{#- The replaced versions of the portfolio's records (companies, sites,
    connections, accounts, meters and their identifiers and tags): every
    landed row that lost to a newer version of the same key (latest
    updated_at, then the last row in the file), read from the staging
    views (see replaced_record_versions). dq_duplicate_key_versions lists
    them with the bills' (int_bill_versions_replaced). -#}
{%- set entities = {
    'companies': ['id', 'name', 'implied_sewer_fraction'],
    'sites': [
        'id', 'company_id', 'name', 'address', 'city', 'region',
        'postal_code', 'country', 'gross_floor_area',
        'gross_floor_area_units', 'data_collection_stop_date',
        'mirror_site_id', 'grid_region',
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
} -%}
{%- set keys = {
    'meter_identifiers': meter_identifier_key(
        'meter_id', 'identifier_type', 'value'
    ),
    'meter_tags': meter_tag_key('meter_id', 'tag_name'),
} -%}
with

replaced_versions as (

    {{ replaced_versions_of_entities(entities, keys) }}

)

select * from replaced_versions
