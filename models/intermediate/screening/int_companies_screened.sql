{#- Every company of the landing file (latest version per id), typed, with
    the reason it is quarantined (null = clean). implied_sewer_fraction is
    optional: text that is not a number from 0 to 1 becomes null, with its
    issue in implied_sewer_fraction_issue (dq_field_issues). -#}
with

raw_companies as (

    select * from {{ ref('stg_utility__companies') }}

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

checked as (

    select
        *,
        case
            when {{ is_blank('implied_sewer_fraction') }} then null
            when parsed_implied_sewer_fraction is null then 'bad_number'
            when parsed_implied_sewer_fraction not between 0 and 1
                then 'out_of_range'
        end as implied_sewer_fraction_issue
    from parsed

),

screened as (

    select
        company_id as record_id,
        company_id,
        company_name,
        case
            when implied_sewer_fraction_issue is null
                then cast(
                    parsed_implied_sewer_fraction as {{ dbt.type_numeric() }}
                )
        end as implied_sewer_fraction,
        implied_sewer_fraction_issue,
        {{ unparsed_flag(
            'implied_sewer_fraction', 'parsed_implied_sewer_fraction'
        ) }} as implied_sewer_fraction_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        case
            when company_id is null then 'missing_id'
            when {{ is_json_container('id') }} then 'bad_id'
        end as quarantine_reason,
        {{ json_object_text(
            ['id', 'name', 'implied_sewer_fraction', 'updated_at']
        ) }} as raw_values
    from checked

)

select * from screened
