{#- Every meter of the landing file (latest version per id), typed, with
    the reason it is quarantined (null = clean). Required: id, company_id,
    account_id and a known datasource_type. Optional values that cannot be
    cleaned never cost the meter (dq_field_issues): a site_id naming no
    clean site leaves the meter unassigned, and is_tracked or is_duplicated
    text that is not a boolean takes its default (tracked, not
    duplicated). -#}
with

raw_meters as (

    select * from {{ ref('stg_utility__meters') }}

),

companies as (

    select * from {{ ref('int_companies_screened') }}

),

accounts as (

    select * from {{ ref('int_accounts_screened') }}

),

sites as (

    select * from {{ ref('int_sites_screened') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_meters', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as meter_id,
        {{ clean_text('company_id') }} as parsed_company_id,
        {{ clean_text('account_id') }} as parsed_account_id,
        {{ clean_text('site_id') }} as parsed_site_id,
        {{ normalize_enum('datasource_type') }} as parsed_commodity,
        {{ parse_boolean('is_tracked', 'true') }} as parsed_is_tracked,
        {{ parse_boolean('is_duplicated', 'false') }} as parsed_is_duplicated
    from latest_versions

),

checked as (

    select
        parsed.*,
        commodities.commodity as known_commodity,
        case
            when parsed.meter_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.company_id') }}
                or {{ is_json_container('parsed.account_id') }}
                then 'bad_id'
            when commodities.commodity is null then 'unknown_commodity'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
            when accounts.account_id is null then 'orphan_account'
            when accounts.quarantine_reason is not null
                then 'account_quarantined'
        end as quarantine_reason,
        case
            when parsed.parsed_site_id is null then null
            when {{ is_json_container('parsed.site_id') }} then 'bad_id'
            when sites.site_id is null then 'orphan_site'
            when sites.quarantine_reason is not null then 'site_quarantined'
        end as site_id_issue,
        case
            when parsed.parsed_is_tracked is null then 'bad_boolean'
        end as is_tracked_issue,
        case
            when parsed.parsed_is_duplicated is null then 'bad_boolean'
        end as is_duplicated_issue
    from parsed
    left join commodities
        on parsed.parsed_commodity = commodities.commodity
    left join companies
        on parsed.parsed_company_id = companies.company_id
    left join accounts
        on parsed.parsed_account_id = accounts.account_id
    left join sites
        on parsed.parsed_site_id = sites.site_id

),

screened as (

    select
        meter_id as record_id,
        meter_id,
        parsed_company_id as company_id,
        parsed_account_id as account_id,
        case when site_id_issue is null then parsed_site_id end as site_id,
        parsed_commodity as commodity,
        coalesce(parsed_is_tracked, true) as is_tracked,
        coalesce(parsed_is_duplicated, false) as is_duplicated,
        {{ clean_text('service_address') }} as service_address,
        site_id_issue,
        is_tracked_issue,
        is_duplicated_issue,
        {{ unparsed_flag('datasource_type', 'known_commodity') }}
            as datasource_type_unparsed,
        {{ unparsed_flag('is_tracked', 'parsed_is_tracked') }}
            as is_tracked_unparsed,
        {{ unparsed_flag('is_duplicated', 'parsed_is_duplicated') }}
            as is_duplicated_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'account_id', 'site_id', 'datasource_type',
            'is_tracked', 'is_duplicated', 'service_address', 'updated_at'
        ]) }} as raw_values
    from checked

)

select * from screened
