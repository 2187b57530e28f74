{#- Every connection of the landing file (latest version per id), typed,
    with the reason it is quarantined (null = clean). -#}
with

raw_connections as (

    select * from {{ source('utility', 'connections') }}

),

companies as (

    select * from {{ ref('stg_utility__companies_screened') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_connections', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as connection_id,
        {{ clean_text('company_id') }} as parsed_company_id
    from latest_versions

),

screened as (

    select
        parsed.connection_id as record_id,
        parsed.connection_id,
        parsed.parsed_company_id as company_id,
        {{ clean_text('parsed.provider_name') }} as provider_name,
        case
            when parsed.connection_id is null then 'missing_id'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as quarantine_reason,
        {{ json_object_text(
            ['id', 'company_id', 'provider_name', 'updated_at'], 'parsed'
        ) }} as raw_values
    from parsed
    left join companies
        on parsed.parsed_company_id = companies.company_id

)

select * from screened
