{#- Every site of the landing file (latest version per id), typed, with the
    reason it is quarantined (null = clean). -#}
with

raw_sites as (

    select * from {{ source('utility', 'sites') }}

),

companies as (

    select * from {{ ref('stg_utility__companies_screened') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_sites', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as site_id,
        {{ clean_text('company_id') }} as parsed_company_id,
        {{ parse_number('gross_floor_area') }} as parsed_gross_floor_area,
        {{ parse_date('data_collection_stop_date') }} as parsed_stop_date
    from latest_versions

),

screened as (

    select
        parsed.site_id as record_id,
        parsed.site_id,
        parsed.parsed_company_id as company_id,
        {{ clean_text('parsed.name') }} as site_name,
        {{ clean_text('parsed.address') }} as address,
        {{ clean_text('parsed.city') }} as city,
        {{ clean_text('parsed.region') }} as region,
        {{ clean_text('parsed.postal_code') }} as postal_code,
        {{ clean_text('parsed.country') }} as country,
        parsed.parsed_gross_floor_area as gross_floor_area,
        parsed.parsed_stop_date as data_collection_stop_date,
        {{ clean_text('parsed.mirror_site_id') }} as mirror_site_id,
        case
            when parsed.site_id is null then 'missing_id'
            when
                not {{ is_blank('parsed.data_collection_stop_date') }}
                and parsed.parsed_stop_date is null
                then 'bad_date'
            when
                not {{ is_blank('parsed.gross_floor_area') }}
                and parsed.parsed_gross_floor_area is null
                then 'bad_number'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'name', 'address', 'city', 'region',
            'postal_code', 'country', 'gross_floor_area',
            'data_collection_stop_date', 'mirror_site_id', 'updated_at'
        ], 'parsed') }} as raw_values
    from parsed
    left join companies
        on parsed.parsed_company_id = companies.company_id

)

select * from screened
