{#- Meter matching for the usage rows without meter_id (latest version per
    id): a row is matched through its extracted identifiers to the clean
    meters of its bill's company. A candidate holds every extracted
    identifier (same type, same normalized value); among several,
    duplicated meters drop out when a non-duplicated one remains, then a
    meter whose identifiers are exactly the extracted ones wins.
    matched_meter_id is the meter found (null when none or several),
    meter_match_method how (identifiers, identifiers_non_duplicate or
    identifiers_exact) and meter_match_reason why none was: missing_meter
    (no identifiers), bad_json, unmatched_meter (no candidate) or
    ambiguous_meter (several). int_usage_data_screened records the reason
    when the row passes its earlier checks. -#}
with

raw_usage_data as (

    select * from {{ ref('stg_utility__usage_data') }}

),

documents as (

    select * from {{ ref('int_documents_screened') }}

),

accounts as (

    select * from {{ ref('int_accounts_screened') }}

),

meters as (

    select * from {{ ref('int_meters_screened') }}

),

meter_identifiers as (

    select * from {{ ref('int_meter_identifiers_screened') }}

),

latest_versions as (

    {{ latest_record_per_key('raw_usage_data', 'id') }}

),

unmatched_rows as (

    select
        {{ clean_text('id') }} as usage_id,
        {{ clean_text('document_id') }} as parsed_document_id,
        extracted_identifiers
    from latest_versions
    where
        {{ clean_text('meter_id') }} is null
        and {{ clean_text('id') }} is not null

),

rows_to_match as (

    select
        unmatched_rows.usage_id,
        unmatched_rows.extracted_identifiers,
        accounts.company_id
    from unmatched_rows
    inner join documents
        on unmatched_rows.parsed_document_id = documents.document_id
    inner join accounts
        on documents.account_id = accounts.account_id

),

extracted_identifiers as (

    select distinct
        elements.record_id as usage_id,
        rows_to_match.company_id,
        {{ normalize_enum('elements.identifier_type') }} as identifier_type,
        {{ normalize_identifier('elements.identifier_value') }}
            as normalized_value
    from (
        {{ unnest_json_identifiers(
            'rows_to_match', 'usage_id', 'extracted_identifiers'
        ) }}
    ) as elements
    inner join rows_to_match
        on elements.record_id = rows_to_match.usage_id

),

extracted_counts as (

    select
        usage_id,
        count(*) as extracted_count
    from extracted_identifiers
    group by usage_id

),

clean_meters as (

    select * from meters
    where quarantine_reason is null

),

clean_meter_identifiers as (

    select * from meter_identifiers
    where quarantine_reason is null

),

meter_identifier_counts as (

    select
        meter_id,
        count(*) as identifier_count
    from clean_meter_identifiers
    group by meter_id

),

identifier_hits as (

    select
        extracted_identifiers.usage_id,
        clean_meter_identifiers.meter_id,
        count(*) as hit_count
    from extracted_identifiers
    inner join clean_meter_identifiers
        on
            extracted_identifiers.identifier_type
            = clean_meter_identifiers.identifier_type
            and extracted_identifiers.normalized_value
            = clean_meter_identifiers.normalized_value
    inner join clean_meters
        on
            clean_meter_identifiers.meter_id = clean_meters.meter_id
            and extracted_identifiers.company_id = clean_meters.company_id
    group by extracted_identifiers.usage_id, clean_meter_identifiers.meter_id

),

candidates as (

    select
        identifier_hits.usage_id,
        identifier_hits.meter_id,
        clean_meters.is_duplicated,
        meter_identifier_counts.identifier_count
        = extracted_counts.extracted_count as is_exact,
        count(*) over (partition by identifier_hits.usage_id)
            as candidate_count,
        sum(case when clean_meters.is_duplicated then 0 else 1 end) over (
            partition by identifier_hits.usage_id
        ) as non_duplicate_count
    from identifier_hits
    inner join extracted_counts
        on identifier_hits.usage_id = extracted_counts.usage_id
    inner join clean_meters
        on identifier_hits.meter_id = clean_meters.meter_id
    inner join meter_identifier_counts
        on identifier_hits.meter_id = meter_identifier_counts.meter_id
    where identifier_hits.hit_count = extracted_counts.extracted_count

),

identifier_matches as (

    select
        usage_id,
        case
            when count(*) = 1 then min(meter_id)
            when sum(case when is_exact then 1 else 0 end) = 1
                then min(case when is_exact then meter_id end)
        end as matched_meter_id,
        case
            when count(*) = 1 and max(candidate_count) = 1
                then 'identifiers'
            when count(*) = 1 then 'identifiers_non_duplicate'
            when sum(case when is_exact then 1 else 0 end) = 1
                then 'identifiers_exact'
        end as meter_match_method
    from candidates
    where not is_duplicated or non_duplicate_count = 0
    group by usage_id

),

matched as (

    select
        unmatched_rows.usage_id,
        identifier_matches.matched_meter_id,
        identifier_matches.meter_match_method,
        case
            when
                {{ is_blank('unmatched_rows.extracted_identifiers') }}
                or (
                    {{ is_json_array('unmatched_rows.extracted_identifiers') }}
                    and coalesce(extracted_counts.extracted_count, 0) = 0
                )
                then 'missing_meter'
            when
                not {{ is_json_array('unmatched_rows.extracted_identifiers') }}
                then 'bad_json'
            when identifier_matches.usage_id is null then 'unmatched_meter'
            when identifier_matches.matched_meter_id is null
                then 'ambiguous_meter'
        end as meter_match_reason
    from unmatched_rows
    left join extracted_counts
        on unmatched_rows.usage_id = extracted_counts.usage_id
    left join identifier_matches
        on unmatched_rows.usage_id = identifier_matches.usage_id

)

select * from matched
