{#- Every bill of the landing file (latest version per id), typed, with the
    reason it is quarantined (null = clean). The billing period runs from
    start_date to bill_date, both days included. A bill without a currency
    gets XXX, the ISO 4217 code for "no currency", so that its costs are
    never summed with another currency's. -#}
with

raw_documents as (

    select * from {{ source('utility', 'documents') }}

),

accounts as (

    select * from {{ ref('stg_utility__accounts_screened') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_documents', 'id') }}

),

parsed as (

    select
        *,
        {{ clean_text('id') }} as document_id,
        {{ clean_text('account_id') }} as parsed_account_id,
        {{ clean_text('revised_document_id') }} as parsed_revised_id,
        {{ parse_date('start_date') }} as parsed_start_date,
        {{ parse_date('bill_date') }} as parsed_bill_date,
        {{ parse_number('total_charges') }} as parsed_total_charges,
        {{ parse_number('current_charges') }} as parsed_current_charges
    from latest_versions

),

known_document_ids as (

    select distinct document_id from parsed
    where document_id is not null

),

screened as (

    select
        parsed.document_id as record_id,
        parsed.document_id,
        parsed.parsed_account_id as account_id,
        parsed.parsed_start_date as start_date,
        parsed.parsed_bill_date as bill_date,
        parsed.parsed_total_charges as total_charges,
        parsed.parsed_current_charges as current_charges,
        coalesce(
            upper({{ clean_text('parsed.charges_units') }}), 'XXX'
        ) as currency,
        parsed.parsed_revised_id as revised_by_document_id,
        case
            when parsed.document_id is null then 'missing_id'
            when
                parsed.parsed_start_date is null
                or parsed.parsed_bill_date is null
                then 'bad_date'
            when parsed.parsed_bill_date < parsed.parsed_start_date
                then 'end_before_start'
            when
                (
                    not {{ is_blank('parsed.total_charges') }}
                    and parsed.parsed_total_charges is null
                )
                or (
                    not {{ is_blank('parsed.current_charges') }}
                    and parsed.parsed_current_charges is null
                )
                then 'bad_amount'
            when accounts.account_id is null then 'orphan_account'
            when accounts.quarantine_reason is not null
                then 'account_quarantined'
            when
                parsed.parsed_revised_id is not null
                and known_document_ids.document_id is null
                then 'orphan_revised_document'
        end as quarantine_reason,
        {{ json_object_text([
            'id', 'account_id', 'start_date', 'bill_date', 'total_charges',
            'current_charges', 'charges_units', 'revised_document_id',
            'updated_at'
        ], 'parsed') }} as raw_values
    from parsed
    left join accounts
        on parsed.parsed_account_id = accounts.account_id
    left join known_document_ids
        on parsed.parsed_revised_id = known_document_ids.document_id

)

select * from screened
