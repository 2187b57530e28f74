{#- Every account of the landing file (latest version per id), typed, with
    the reason it is quarantined (null = clean).
    Required: id, company_id and a known status. Optional links that name no
    clean row become null, each with its issue (dq_field_issues):
    connection_id and active_account_id. An active_account_id that is the
    account's own id is simply no link. Links between accounts that pass
    their own checks are walked: the accounts on a cycle are quarantined as
    active_account_cycle, and a link into a cycle is dropped, so that the
    kept links form chains (int_accounts_linked_to_reporting_account
    follows them to each account's reporting account). -#}
with

raw_accounts as (

    select * from {{ ref('stg_utility__accounts') }}

),

companies as (

    select * from {{ ref('int_companies_screened') }}

),

connections as (

    select * from {{ ref('int_connections_screened') }}

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

own_checks as (

    select
        parsed.*,
        account_statuses.status as known_status,
        case
            when parsed.account_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.company_id') }}
                then 'bad_id'
            when account_statuses.status is null then 'unknown_status'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as own_reason,
        case
            when parsed.parsed_connection_id is null then null
            when {{ is_json_container('parsed.connection_id') }} then 'bad_id'
            when connections.connection_id is null then 'orphan_connection'
            when connections.quarantine_reason is not null
                then 'connection_quarantined'
        end as connection_id_issue
    from parsed
    left join account_statuses
        on parsed.parsed_status = account_statuses.status
    left join companies
        on parsed.parsed_company_id = companies.company_id
    left join connections
        on parsed.parsed_connection_id = connections.connection_id

),

candidate_links as (

    select
        own_checks.account_id,
        own_checks.parsed_active_account_id as active_account_id
    from own_checks
    inner join own_checks as targets
        on own_checks.parsed_active_account_id = targets.account_id
    where
        own_checks.own_reason is null
        and targets.own_reason is null
        and own_checks.parsed_active_account_id != own_checks.account_id

),

links_walked as (

    {{ walk_links('candidate_links', 'account_id', 'active_account_id') }}

),

cycle_members as (

    select distinct start_id as account_id
    from links_walked
    where reached_id = start_id

),

checked as (

    select
        own_checks.*,
        coalesce(
            own_checks.own_reason,
            case
                when cycle_members.account_id is not null
                    then 'active_account_cycle'
            end
        ) as quarantine_reason,
        case
            when
                own_checks.parsed_active_account_id is null
                or own_checks.parsed_active_account_id = own_checks.account_id
                then null
            when {{ is_json_container('own_checks.active_account_id') }}
                then 'bad_id'
            when targets.account_id is null then 'orphan_account'
            when
                targets.own_reason is not null
                or target_cycle_members.account_id is not null
                then 'account_quarantined'
        end as active_account_id_issue
    from own_checks
    left join cycle_members
        on own_checks.account_id = cycle_members.account_id
    left join own_checks as targets
        on own_checks.parsed_active_account_id = targets.account_id
    left join cycle_members as target_cycle_members
        on own_checks.parsed_active_account_id = target_cycle_members.account_id

),

screened as (

    select
        account_id as record_id,
        account_id,
        parsed_company_id as company_id,
        case
            when connection_id_issue is null then parsed_connection_id
        end as connection_id,
        {{ clean_text('account_number') }} as account_number,
        {{ clean_text('provider_name') }} as provider_name,
        parsed_status as status,
        case
            when
                active_account_id_issue is null
                and parsed_active_account_id != account_id
                then parsed_active_account_id
        end as active_account_id,
        {{ normalize_enum('primary_identifier_type') }}
            as primary_identifier_type,
        {{ normalize_enum('secondary_identifier_type') }}
            as secondary_identifier_type,
        connection_id_issue,
        active_account_id_issue,
        {{ unparsed_flag('status', 'known_status') }} as status_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'connection_id', 'account_number',
            'provider_name', 'status', 'active_account_id',
            'primary_identifier_type', 'secondary_identifier_type',
            'updated_at'
        ]) }} as raw_values
    from checked

)

select * from screened
