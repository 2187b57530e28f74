{#- Every account of the landing file (latest version per id), typed, with
    the reason it is quarantined (null = clean). Besides its own values, an
    account needs a chain of active-account links that ends in a clean
    account: a link to an unknown account is orphan_active_account, the
    accounts of a cycle are active_account_cycle, and an account whose chain
    reaches a quarantined account is active_account_quarantined. -#}
with

raw_accounts as (

    select * from {{ source('utility', 'accounts') }}

),

companies as (

    select * from {{ ref('stg_utility__companies_screened') }}

),

connections as (

    select * from {{ ref('stg_utility__connections_screened') }}

),

account_links_walked as (

    select * from {{ ref('stg_utility__account_links_walked') }}

),

account_statuses as (

    select enum_value as status
    from {{ ref('enumerations') }}
    where enumeration = 'account_status'

),

latest_versions as (

    {{ latest_record_per_key('raw_accounts', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as account_id,
        {{ clean_text('company_id') }} as parsed_company_id,
        {{ clean_text('connection_id') }} as parsed_connection_id,
        {{ clean_text('active_account_id') }} as parsed_active_account_id,
        {{ normalize_enum('status') }} as parsed_status
    from latest_versions

),

known_account_ids as (

    select distinct account_id from parsed
    where account_id is not null

),

own_checks as (

    select
        parsed.*,
        case
            when parsed.account_id is null then 'missing_id'
            when account_statuses.status is null then 'unknown_status'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
            when
                parsed.parsed_connection_id is not null
                and connections.connection_id is null
                then 'orphan_connection'
            when connections.quarantine_reason is not null
                then 'connection_quarantined'
            when
                parsed.parsed_active_account_id is not null
                and known_account_ids.account_id is null
                then 'orphan_active_account'
        end as own_reason
    from parsed
    left join account_statuses
        on parsed.parsed_status = account_statuses.status
    left join companies
        on parsed.parsed_company_id = companies.company_id
    left join connections
        on parsed.parsed_connection_id = connections.connection_id
    left join known_account_ids
        on parsed.parsed_active_account_id = known_account_ids.account_id

),

cycle_members as (

    select distinct account_id
    from account_links_walked
    where reached_active_account_id = account_id

),

chains_reaching_bad_accounts as (

    select distinct account_links_walked.account_id
    from account_links_walked
    left join own_checks
        on account_links_walked.reached_account_id = own_checks.account_id
    left join cycle_members
        on account_links_walked.reached_account_id = cycle_members.account_id
    where
        account_links_walked.link_depth > 0
        and (
            own_checks.own_reason is not null
            or cycle_members.account_id is not null
        )

),

screened as (

    select
        own_checks.account_id as record_id,
        own_checks.account_id,
        own_checks.parsed_company_id as company_id,
        own_checks.parsed_connection_id as connection_id,
        {{ clean_text('own_checks.account_number') }} as account_number,
        {{ clean_text('own_checks.provider_name') }} as provider_name,
        own_checks.parsed_status as status,
        own_checks.parsed_active_account_id as active_account_id,
        {{ normalize_enum('own_checks.primary_identifier_type') }}
            as primary_identifier_type,
        {{ normalize_enum('own_checks.secondary_identifier_type') }}
            as secondary_identifier_type,
        case
            when own_checks.own_reason is not null then own_checks.own_reason
            when cycle_members.account_id is not null
                then 'active_account_cycle'
            when chains_reaching_bad_accounts.account_id is not null
                then 'active_account_quarantined'
        end as quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'connection_id', 'account_number',
            'provider_name', 'status', 'active_account_id',
            'primary_identifier_type', 'secondary_identifier_type',
            'updated_at'
        ], 'own_checks') }} as raw_values
    from own_checks
    left join cycle_members
        on own_checks.account_id = cycle_members.account_id
    left join chains_reaching_bad_accounts
        on own_checks.account_id = chains_reaching_bad_accounts.account_id

)

select * from screened
