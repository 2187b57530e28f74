{#- Every bill of the landing file (latest version per id), typed, with the
    reason it is quarantined (null = clean) and the bill that revises it.
    The billing period runs from start_date to bill_date, both days
    included. Required: id, account_id and both dates, plausible (from
    1950 to a year after the as-of date, at most implausible_period_days
    long). total_charges and current_charges are optional: text that is
    not an amount, or one beyond max_abs_value, becomes null with its issue
    (dq_field_issues). charges_units is read in any case with spaces
    removed: a three-letter code of the currencies seed (stated_currency),
    a symbol or prefix of the currency_symbols seed naming one currency
    (stated too), one several currencies use (ambiguous) or something else
    (unknown); charges_units_status says which (missing when blank).
    int_document_currencies_resolved settles the ambiguous and missing
    ones through the countries of the bill's sites.
    revised_document_id names the bill that supersedes this one. A link to
    a bill that is not clean is dropped (a field issue): the bill stays
    current. Links between bills that pass their own checks are walked: the
    bills on a loop of revisions (a bill naming itself included) are
    quarantined as revision_cycle, and a link into a loop is dropped, so
    that the kept links form chains (int_documents_resolved_to_current
    follows them to the newest bill).
    raw_values (the row's raw text as JSON) is kept for the rows that are
    quarantined or have a field issue, the only ones that show it. -#}
with

raw_documents as (

    select * from {{ ref('stg_utility__documents') }}

),

accounts as (

    select * from {{ ref('int_accounts_screened') }}

),

currencies as (

    select * from {{ ref('currencies') }}

),

currency_symbols as (

    select * from {{ ref('currency_symbols') }}

),

currency_spellings as (

    select
        upper(currency_code) as currency_key,
        currency_code
    from currencies
    union all
    select
        upper(replace(symbol, ' ', '')) as currency_key,
        {{ seed_text('currency_code') }} as currency_code
    from currency_symbols

),

latest_versions as (

    {{ latest_record_per_key('raw_documents', 'id') }}

),

parsed as (

    select
        latest_versions.*,
        {{ clean_text('id') }} as document_id,
        {{ clean_text('account_id') }} as parsed_account_id,
        {{ clean_text('revised_document_id') }} as parsed_revised_id,
        {{ parse_date('start_date') }} as parsed_start_date,
        {{ parse_date('bill_date') }} as parsed_bill_date,
        {{ parse_amount('total_charges') }} as parsed_total_charges,
        {{ parse_amount('current_charges') }} as parsed_current_charges,
        currency_spellings.currency_key is not null as is_known_currency,
        currency_spellings.currency_code as parsed_currency
    from latest_versions
    left join currency_spellings
        on
            upper(replace(trim(latest_versions.charges_units), ' ', ''))
            = currency_spellings.currency_key

),

own_checks as (

    select
        parsed.*,
        case
            when parsed.document_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.account_id') }}
                then 'bad_id'
            when
                parsed.parsed_start_date is null
                or parsed.parsed_bill_date is null
                then 'bad_date'
            when
                {{ is_implausible_date('parsed.parsed_start_date') }}
                or {{ is_implausible_date('parsed.parsed_bill_date') }}
                then 'implausible_date'
            when parsed.parsed_bill_date < parsed.parsed_start_date
                then 'end_before_start'
            when
                {{ dbt.datediff(
                    'parsed.parsed_start_date', 'parsed.parsed_bill_date', 'day'
                ) }} + 1 > {{ var('implausible_period_days') }}
                then 'implausible_period'
            when accounts.account_id is null then 'orphan_account'
            when accounts.quarantine_reason is not null
                then 'account_quarantined'
        end as own_reason,
        case
            when {{ is_blank('parsed.total_charges') }} then null
            when parsed.parsed_total_charges is null then 'bad_amount'
            when {{ is_out_of_range('parsed.parsed_total_charges') }}
                then 'bad_number'
        end as total_charges_issue,
        case
            when {{ is_blank('parsed.current_charges') }} then null
            when parsed.parsed_current_charges is null then 'bad_amount'
            when {{ is_out_of_range('parsed.parsed_current_charges') }}
                then 'bad_number'
        end as current_charges_issue
    from parsed
    left join accounts
        on parsed.parsed_account_id = accounts.account_id

),

candidate_links as (

    select
        own_checks.document_id,
        own_checks.parsed_revised_id as revised_by_document_id
    from own_checks
    inner join own_checks as targets
        on own_checks.parsed_revised_id = targets.document_id
    where
        own_checks.own_reason is null
        and targets.own_reason is null

),

links_walked as (

    {{ walk_links(
        'candidate_links', 'document_id', 'revised_by_document_id'
    ) }}

),

loop_members as (

    select distinct start_id as document_id
    from links_walked
    where reached_id = start_id

),

checked as (

    select
        own_checks.*,
        coalesce(
            own_checks.own_reason,
            case
                when loop_members.document_id is not null
                    then 'revision_cycle'
            end
        ) as quarantine_reason,
        case
            when own_checks.parsed_revised_id is null then null
            when {{ is_json_container('own_checks.revised_document_id') }}
                then 'bad_id'
            when targets.document_id is null then 'orphan_document'
            when
                targets.own_reason is not null
                or target_loop_members.document_id is not null
                then 'document_quarantined'
        end as revised_document_id_issue
    from own_checks
    left join loop_members
        on own_checks.document_id = loop_members.document_id
    left join own_checks as targets
        on own_checks.parsed_revised_id = targets.document_id
    left join loop_members as target_loop_members
        on own_checks.parsed_revised_id = target_loop_members.document_id

),

flagged as (

    select
        *,
        {{ unparsed_flag('start_date', 'parsed_start_date') }}
            as start_date_unparsed,
        {{ unparsed_flag('bill_date', 'parsed_bill_date') }}
            as bill_date_unparsed,
        {{ unparsed_flag('total_charges', 'parsed_total_charges') }}
            as total_charges_unparsed,
        {{ unparsed_flag('current_charges', 'parsed_current_charges') }}
            as current_charges_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed
    from checked

),

screened as (

    select
        document_id as record_id,
        document_id,
        parsed_account_id as account_id,
        parsed_start_date as start_date,
        parsed_bill_date as bill_date,
        case
            when total_charges_issue is null
                then cast(parsed_total_charges as {{ dbt.type_numeric() }})
        end as total_charges,
        case
            when current_charges_issue is null
                then cast(parsed_current_charges as {{ dbt.type_numeric() }})
        end as current_charges,
        {{ clean_text('charges_units') }} as charges_units,
        parsed_currency as stated_currency,
        case
            when {{ is_blank('charges_units') }} then 'missing'
            when not is_known_currency then 'unknown'
            when parsed_currency is null then 'ambiguous'
            else 'stated'
        end as charges_units_status,
        case
            when revised_document_id_issue is null then parsed_revised_id
        end as revised_by_document_id,
        total_charges_issue,
        current_charges_issue,
        revised_document_id_issue,
        start_date_unparsed,
        bill_date_unparsed,
        total_charges_unparsed,
        current_charges_unparsed,
        updated_at_unparsed,
        quarantine_reason,
        case
            when
                quarantine_reason is not null
                or total_charges_issue is not null
                or current_charges_issue is not null
                or revised_document_id_issue is not null
                or not (is_known_currency or {{ is_blank('charges_units') }})
                or coalesce(updated_at_unparsed, false)
                then
                    {{ json_object_text([
                        'id', 'account_id', 'start_date', 'bill_date',
                        'total_charges', 'current_charges', 'charges_units',
                        'revised_document_id', 'updated_at'
                    ]) }}
        end as raw_values
    from flagged

)

select * from screened
