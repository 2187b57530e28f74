{#- Every company of the landing file (latest version per id), typed, with
    the reason it is quarantined (null = clean). -#}
with

raw_companies as (

    select * from {{ source('utility', 'companies') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_companies', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as company_id,
        {{ clean_text('name') }} as company_name,
        {{ parse_number('implied_sewer_fraction') }}
            as parsed_implied_sewer_fraction
    from latest_versions

),

screened as (

    select
        company_id as record_id,
        company_id,
        company_name,
        parsed_implied_sewer_fraction as implied_sewer_fraction,
        case
            when company_id is null then 'missing_id'
            when
                not {{ is_blank('implied_sewer_fraction') }}
                and coalesce(
                    parsed_implied_sewer_fraction not between 0 and 1, true
                )
                then 'bad_number'
        end as quarantine_reason,
        {{ json_object_text(
            ['id', 'name', 'implied_sewer_fraction', 'updated_at']
        ) }} as raw_values
    from parsed

)

select * from screened
