{#- Every data-quality finding, one row each, with a stable id, a severity
    (seed finding_severities) and its review status: bill period issues
    (gap, overlap, short_period, long_period, future_period), duplicate bill
    and meter candidates, usage anomalies, the bill audits (dq_bill_audits,
    kind = the audit), unattributed bills, site x commodity pairs not
    ENERGY STAR ready, and the findings of energy and emissions.

    finding_id is 16 hexadecimal digits of the MD5 of the kind and the
    finding's natural keys (macro finding_id): the same finding keeps its id
    when later builds add bills. A finding's status is that of its latest
    review (int_finding_reviews_latest: the latest reviewed_at, then the
    last row); OPEN without one. Reviews change no counted figure: this model reads
    the marts and nothing reads it but the review queue and the ENERGY STAR
    export. -#}
with

billing_findings as (

    select * from {{ ref('int_billing_findings_listed') }}

),

audits as (

    select * from {{ ref('dq_bill_audits') }}

),

readiness as (

    select * from {{ ref('dq_site_energy_star_readiness') }}

),

emission_findings as (

    select * from {{ ref('dq_emission_findings') }}

),

severities as (

    select * from {{ ref('finding_severities') }}

),

latest_reviews as (

    select * from {{ ref('int_finding_reviews_latest') }}

),

findings as (

    select * from billing_findings

    union all

    select
        {{ finding_id(
            'audit',
            ['document_id', 'meter_id', 'item_id', 'site_id', 'commodity',
             'year']
        ) }} as finding_id,
        audit as kind,
        company_id,
        site_id,
        meter_id,
        document_id,
        commodity,
        coalesce(
            cast({{ dbt.date_trunc('month', 'period_start') }} as date),
            cast(
                cast(year as {{ dbt.type_string() }}) || '-01-01' as date
            )
        ) as month,
        {{ audit_figure('observed') }}
        || coalesce(' ' || unit, '')
        || coalesce(' against ' || {{ audit_figure('expected') }}, '')
        || coalesce(', allowed ' || {{ audit_figure('allowed') }}, '')
            as detail
    from audits

    union all

    select
        {{ finding_id("'not_energy_star_ready'", ['site_id', 'commodity']) }}
            as finding_id,
        'not_energy_star_ready' as kind,
        company_id,
        site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        commodity,
        latest_complete_month as month,
        commodity || ': '
        || cast(complete_months as {{ dbt.type_string() }}) || ' of '
        || cast(coverage_months as {{ dbt.type_string() }})
        || ' months complete, no 12 in a row' as detail
    from readiness
    where not is_energy_star_ready

    union all

    select
        {{ finding_id(
            'kind',
            ['company_id', 'site_id', 'meter_id', 'instrument_id',
             'commodity', 'month', 'method']
        ) }} as finding_id,
        kind,
        company_id,
        site_id,
        meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        commodity,
        month,
        commodity
        || coalesce(' ' || method, '')
        || coalesce(', instrument ' || instrument_id, '')
        || coalesce(
            ', '
            || cast(round(quantity_kwh, 2) as {{ dbt.type_string() }})
            || ' kWh', ''
        ) as detail
    from emission_findings

),

final as (

    select
        findings.finding_id,
        findings.kind,
        severities.severity,
        findings.company_id,
        findings.site_id,
        findings.meter_id,
        findings.document_id,
        findings.commodity,
        findings.month,
        findings.detail,
        coalesce(latest_reviews.status, 'OPEN') as status,
        latest_reviews.reviewed_at,
        latest_reviews.reviewed_by,
        latest_reviews.note as review_note
    from findings
    left join severities
        on findings.kind = severities.kind
    left join latest_reviews
        on findings.finding_id = latest_reviews.finding_id

)

select * from final
