{#- Every contractual instrument of the optional landing file (latest
    version per id), typed, with the reason it is quarantined (null =
    clean). Required: id, a clean company_id, both dates (plausible, end
    not before start) and co2e_kg_per_kwh (a number from 0 to below 1000). A
    commodity that is given must be known (unknown_commodity; empty =
    ELECTRICITY, applied by int_contractual_instruments). quantity_kwh is
    optional (empty = unlimited) but text that is not a number, or a
    negative one, quarantines the row (bad_number): reading it as unlimited
    would overstate coverage. For the same reason a site_id or market that
    is given but cannot be cleaned quarantines the row instead of widening
    it: a site_id naming no clean site of the company (bad_id, orphan_site,
    site_quarantined, foreign_site) would make the instrument company-wide,
    and a market naming no country (unknown_country) would lift its market
    boundary. Dates honour date_order, numbers
    decimal_separator; the co2e rate is parsed exactly (parse_rate). -#}
with

raw_contractual_instruments as (

    select * from {{ ref('stg_utility__contractual_instruments') }}

),

companies as (

    select * from {{ ref('int_companies_screened') }}

),

sites as (

    select * from {{ ref('int_sites_screened') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

countries as (

    select * from {{ ref('countries') }}

),

country_aliases as (

    select * from {{ ref('country_aliases') }}

),

country_names as (

    select
        lower(alpha2) as country_key,
        alpha2
    from countries
    union
    select
        lower(alpha3) as country_key,
        alpha2
    from countries
    union
    select
        lower(country_name) as country_key,
        alpha2
    from countries
    union
    select
        lower(alias) as country_key,
        alpha2
    from country_aliases

),

latest_versions as (

    {{ latest_record_per_key('raw_contractual_instruments', 'id') }}

),

parsed as (

    select
        latest_versions.*,
        {{ clean_text('latest_versions.id') }} as instrument_id,
        {{ clean_text('latest_versions.company_id') }} as parsed_company_id,
        {{ clean_text('latest_versions.site_id') }} as parsed_site_id,
        {{ normalize_enum('latest_versions.commodity') }} as parsed_commodity,
        {{ parse_date('latest_versions.start_date') }} as parsed_start_date,
        {{ parse_date('latest_versions.end_date') }} as parsed_end_date,
        {{ parse_number('latest_versions.quantity_kwh') }}
            as parsed_quantity_kwh,
        {{ parse_rate('latest_versions.co2e_kg_per_kwh') }}
            as parsed_co2e_kg_per_kwh,
        country_names.alpha2 as parsed_market
    from latest_versions
    left join country_names
        on
            replace(
                lower(trim(latest_versions.market)),
                {{ sql_string_literal("'") }},
                {{ sql_string_literal("’") }}
            )
            = country_names.country_key

),

checked as (

    select
        parsed.*,
        commodities.commodity as known_commodity,
        case
            when parsed.instrument_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.company_id') }}
                then 'bad_id'
            when
                parsed.parsed_start_date is null
                or parsed.parsed_end_date is null
                then 'bad_date'
            when
                {{ is_implausible_date('parsed.parsed_start_date') }}
                or {{ is_implausible_date('parsed.parsed_end_date') }}
                then 'implausible_date'
            when parsed.parsed_end_date < parsed.parsed_start_date
                then 'end_before_start'
            when
                not {{ is_blank('parsed.commodity') }}
                and commodities.commodity is null
                then 'unknown_commodity'
            when
                parsed.parsed_co2e_kg_per_kwh is null
                or parsed.parsed_co2e_kg_per_kwh < 0
                or parsed.parsed_co2e_kg_per_kwh >= 1000
                or (
                    parsed.parsed_quantity_kwh is null
                    and not {{ is_blank('parsed.quantity_kwh') }}
                )
                or parsed.parsed_quantity_kwh < 0
                or {{ is_out_of_range('parsed.parsed_quantity_kwh') }}
                then 'bad_number'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as quarantine_reason,
        case
            when parsed.parsed_site_id is null then null
            when {{ is_json_container('parsed.site_id') }} then 'bad_id'
            when sites.site_id is null then 'orphan_site'
            when sites.quarantine_reason is not null then 'site_quarantined'
            when sites.company_id != parsed.parsed_company_id
                then 'foreign_site'
        end as site_id_issue,
        case
            when
                not {{ is_blank('parsed.market') }}
                and parsed.parsed_market is null
                then 'unknown_country'
        end as market_issue
    from parsed
    left join commodities
        on parsed.parsed_commodity = commodities.commodity
    left join companies
        on parsed.parsed_company_id = companies.company_id
    left join sites
        on parsed.parsed_site_id = sites.site_id

),

screened as (

    select
        instrument_id as record_id,
        instrument_id,
        parsed_company_id as company_id,
        case when site_id_issue is null then parsed_site_id end as site_id,
        parsed_market as market,
        parsed_commodity as commodity,
        parsed_start_date as start_date,
        parsed_end_date as end_date,
        cast(parsed_quantity_kwh as {{ dbt.type_numeric() }}) as quantity_kwh,
        cast(parsed_co2e_kg_per_kwh as decimal(28, 18)) as co2e_kg_per_kwh,
        {{ clean_text('instrument_type') }} as instrument_type,
        site_id_issue,
        market_issue,
        {{ unparsed_flag('market', 'parsed_market') }} as market_unparsed,
        {{ unparsed_flag('commodity', 'known_commodity') }}
            as commodity_unparsed,
        {{ unparsed_flag('start_date', 'parsed_start_date') }}
            as start_date_unparsed,
        {{ unparsed_flag('end_date', 'parsed_end_date') }}
            as end_date_unparsed,
        {{ unparsed_flag('quantity_kwh', 'parsed_quantity_kwh') }}
            as quantity_kwh_unparsed,
        {{ unparsed_flag('co2e_kg_per_kwh', 'parsed_co2e_kg_per_kwh') }}
            as co2e_kg_per_kwh_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        coalesce(quarantine_reason, site_id_issue, market_issue)
            as quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'site_id', 'market', 'commodity',
            'start_date', 'end_date', 'quantity_kwh', 'co2e_kg_per_kwh',
            'instrument_type', 'updated_at'
        ]) }} as raw_values
    from checked

)

select * from screened
