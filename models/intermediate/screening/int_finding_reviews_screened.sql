{#- Every finding review of the optional landing file, typed, with the
    reason it is quarantined (null = clean). A finding may be reviewed many
    times and every review is kept: a row's key is the whole review
    (finding_review_key), so only the same review written twice is merged
    (latest updated_at, then the last row). Required: finding_id (missing_id;
    a JSON object or array is bad_id), a status OPEN, RESOLVED or DISMISSED
    in any case (unknown_status) and reviewed_at, a timestamp or a date
    (bad_date; before plausible_date_min or more than a year after the as-of
    date: implausible_date, since such a review would win over every later
    one). note and reviewed_by are free text. -#}
with

raw_finding_reviews as (

    select * from {{ ref('stg_utility__finding_reviews') }}

),

review_statuses as (

    select enum_value as status
    from {{ ref('enumerations') }}
    where enumeration = 'review_status'

),

keyed as (

    select
        *,
        {{ finding_review_key(
            'finding_id', 'status', 'reviewed_at', 'reviewed_by', 'note'
        ) }} as review_key
    from raw_finding_reviews

),

latest_versions as (

    {{ latest_record_per_key('keyed', 'review_key') }}

),

parsed as (

    select
        latest_versions.*,
        {{ clean_text('latest_versions.finding_id') }} as parsed_finding_id,
        {{ normalize_enum('latest_versions.status') }} as parsed_status,
        {{ parse_timestamp('latest_versions.reviewed_at') }}
            as parsed_reviewed_at
    from latest_versions

),

checked as (

    select
        parsed.*,
        review_statuses.status as known_status,
        case
            when parsed.parsed_finding_id is null then 'missing_id'
            when {{ is_json_container('parsed.finding_id') }} then 'bad_id'
            when review_statuses.status is null then 'unknown_status'
            when parsed.parsed_reviewed_at is null then 'bad_date'
            when {{ is_implausible_date('parsed.parsed_reviewed_at') }}
                then 'implausible_date'
        end as quarantine_reason
    from parsed
    left join review_statuses
        on parsed.parsed_status = review_statuses.status

),

screened as (

    select
        review_key as record_id,
        parsed_finding_id as finding_id,
        parsed_status as status,
        {{ clean_text('note') }} as note,
        {{ clean_text('reviewed_by') }} as reviewed_by,
        parsed_reviewed_at as reviewed_at,
        _row_number,
        _source_file,
        {{ unparsed_flag('status', 'known_status') }} as status_unparsed,
        {{ unparsed_flag('reviewed_at', 'parsed_reviewed_at') }}
            as reviewed_at_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        quarantine_reason,
        {{ json_object_text([
            'finding_id', 'status', 'note', 'reviewed_by', 'reviewed_at',
            'updated_at'
        ]) }} as raw_values
    from checked

)

select * from screened
