{#- Every connection of the landing file (latest version per id), typed,
    with the reason it is quarantined (null = clean). Only the id is
    required: a company_id naming no clean company becomes null, with its
    issue in company_id_issue (dq_field_issues). -#}
with

raw_connections as (

    select * from {{ ref('stg_utility__connections') }}

),

companies as (

    select * from {{ ref('int_companies_screened') }}

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

checked as (

    select
        parsed.*,
        case
            when parsed.parsed_company_id is null then null
            when {{ is_json_container('parsed.company_id') }} then 'bad_id'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as company_id_issue
    from parsed
    left join companies
        on parsed.parsed_company_id = companies.company_id

),

screened as (

    select
        connection_id as record_id,
        connection_id,
        case
            when company_id_issue is null then parsed_company_id
        end as company_id,
        {{ clean_text('provider_name') }} as provider_name,
        company_id_issue,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        case
            when connection_id is null then 'missing_id'
            when {{ is_json_container('id') }} then 'bad_id'
        end as quarantine_reason,
        {{ json_object_text(
            ['id', 'company_id', 'provider_name', 'updated_at']
        ) }} as raw_values
    from checked

)

select * from screened
