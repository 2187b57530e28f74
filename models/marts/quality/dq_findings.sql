{#- Every data-quality finding, one row each, with a stable id, a severity
    (seed finding_severities) and its review status: bill period issues
    (gap, overlap, short_period, long_period, future_period), duplicate bill
    and meter candidates, usage anomalies, the bill audits (dq_bill_audits,
    kind = the audit), unattributed bills, site x commodity pairs not
    ENERGY STAR ready, and the findings of energy and emissions.

    finding_id is 16 hexadecimal digits of the MD5 of the kind and the
    finding's natural keys (macro finding_id): the same finding keeps its id
    when later builds add bills. A finding's status is that of its latest
    review (finding_reviews: the latest reviewed_at, then the last row);
    OPEN without one. Reviews change no counted figure: this model reads
    the marts and nothing reads it but the review queue and the ENERGY STAR
    export. -#}
with

period_issues as (

    select * from {{ ref('dq_bill_period_issues') }}

),

duplicate_bills as (

    select * from {{ ref('dq_duplicate_bill_candidates') }}

),

duplicate_meters as (

    select * from {{ ref('dq_duplicate_meter_candidates') }}

),

anomalies as (

    select * from {{ ref('dq_usage_anomalies') }}

),

unattributed as (

    select * from {{ ref('fct_unattributed_bill_costs') }}

),

readiness as (

    select * from {{ ref('dq_site_energy_star_readiness') }}

),

emission_findings as (

    select * from {{ ref('dq_emission_findings') }}

),

accounts as (

    select * from {{ ref('dim_accounts') }}

),

meters as (

    select * from {{ ref('dim_meters') }}

),

severities as (

    select * from {{ ref('finding_severities') }}

),

findings as (

    select
        {{ finding_id('issue_type', ['meter_id', 'document_id']) }}
            as finding_id,
        issue_type as kind,
        company_id,
        site_id,
        meter_id,
        document_id,
        commodity,
        cast({{ dbt.date_trunc('month', 'period_start') }} as date) as month,
        issue_type || ' of '
        || cast(issue_days as {{ dbt.type_string() }}) || ' days, '
        || cast(period_start as {{ dbt.type_string() }}) || ' to '
        || cast(period_end as {{ dbt.type_string() }}) as detail
    from period_issues

    union all

    select
        {{ finding_id(
            "'duplicate_bill'",
            ['duplicate_bills.document_id',
             'duplicate_bills.duplicate_of_document_id']
        ) }} as finding_id,
        'duplicate_bill' as kind,
        accounts.company_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        duplicate_bills.document_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast(
            {{ dbt.date_trunc('month', 'duplicate_bills.start_date') }} as date
        ) as month,
        'same account, dates and charges as bill '
        || duplicate_bills.duplicate_of_document_id as detail
    from duplicate_bills
    inner join accounts
        on duplicate_bills.account_id = accounts.account_id

    union all

    select
        {{ finding_id(
            "'duplicate_meter'",
            ['duplicate_meters.meter_id',
             'duplicate_meters.duplicate_of_meter_id',
             'duplicate_meters.identifier_type',
             'duplicate_meters.normalized_value']
        ) }} as finding_id,
        'duplicate_meter' as kind,
        duplicate_meters.company_id,
        meters.site_id,
        duplicate_meters.meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        meters.commodity,
        cast(null as date) as month,
        'shares ' || duplicate_meters.identifier_type || ' '
        || duplicate_meters.normalized_value || ' with meter '
        || duplicate_meters.duplicate_of_meter_id as detail
    from duplicate_meters
    inner join meters
        on duplicate_meters.meter_id = meters.meter_id

    union all

    select
        {{ finding_id("'usage_anomaly'", ['meter_id', 'month']) }}
            as finding_id,
        'usage_anomaly' as kind,
        company_id,
        site_id,
        meter_id,
        cast(null as {{ dbt.type_string() }}) as document_id,
        commodity,
        month,
        'usage ' || cast(round(usage, 2) as {{ dbt.type_string() }}) || ' '
        || usage_unit || ' against '
        || cast(round(usage_prior_year, 2) as {{ dbt.type_string() }})
        || ' a year earlier' as detail
    from anomalies

    union all

    select
        {{ finding_id("'unattributed_bill'", ['document_id']) }}
            as finding_id,
        'unattributed_bill' as kind,
        company_id,
        cast(null as {{ dbt.type_string() }}) as site_id,
        cast(null as {{ dbt.type_string() }}) as meter_id,
        document_id,
        cast(null as {{ dbt.type_string() }}) as commodity,
        cast({{ dbt.date_trunc('month', 'start_date') }} as date) as month,
        reason || ': '
        || cast(round(unattributed_cost, 2) as {{ dbt.type_string() }})
        || ' ' || coalesce(currency, 'in an unknown currency') as detail
    from unattributed

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
        'OPEN' as status,
        cast(null as {{ dbt.type_timestamp() }}) as reviewed_at,
        cast(null as {{ dbt.type_string() }}) as reviewed_by,
        cast(null as {{ dbt.type_string() }}) as review_note
    from findings
    left join severities
        on findings.kind = severities.kind

)

select * from final
