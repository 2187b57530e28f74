{#- Every site of the landing file (latest version per id), typed, with the
    reason it is quarantined (null = clean). Only the id and company_id are
    required. Optional values that cannot be cleaned become null, each with
    its issue in a <column>_issue column (dq_field_issues):
    gross_floor_area (not a number, negative or too large),
    gross_floor_area_units (SQ_FT or SQ_M in any spelling; empty = SQ_FT),
    data_collection_stop_date (unparseable or implausible), country (not an
    ISO 3166-1 alpha-2 or alpha-3 code, English short name or alias of the
    countries and country_aliases seeds, in any case: unknown_country; the
    site keeps its row) and mirror_site_id (naming no clean site, or the
    site itself). country_code is the country's alpha-2 code and
    currency_code its currency (countries seed). The seeds write
    apostrophes as ’; a country written with ' matches too. -#}
with

raw_sites as (

    select * from {{ ref('stg_utility__sites') }}

),

companies as (

    select * from {{ ref('int_companies_screened') }}

),

floor_area_units as (

    select enum_value as floor_area_unit
    from {{ ref('enumerations') }}
    where enumeration = 'floor_area_unit'

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

    {{ latest_record_per_key('raw_sites', 'id') }}

),

parsed as (

    select
        latest_versions.*,
        {{ clean_text('latest_versions.id') }} as site_id,
        {{ clean_text('latest_versions.company_id') }} as parsed_company_id,
        {{ clean_text('latest_versions.mirror_site_id') }}
            as parsed_mirror_site_id,
        {{ parse_number('latest_versions.gross_floor_area') }}
            as parsed_gross_floor_area,
        {{ parse_date('latest_versions.data_collection_stop_date') }}
            as parsed_stop_date,
        floor_area_units.floor_area_unit as parsed_floor_area_unit,
        country_names.alpha2 as parsed_country_code,
        {{ seed_text('countries.currency_code') }} as parsed_currency_code
    from latest_versions
    left join country_names
        on
            replace(
                lower(trim(latest_versions.country)),
                {{ sql_string_literal("'") }},
                {{ sql_string_literal("’") }}
            )
            = country_names.country_key
    left join countries
        on country_names.alpha2 = countries.alpha2
    left join floor_area_units
        on
            replace(
                {{ normalize_enum('latest_versions.gross_floor_area_units') }},
                '_', ''
            )
            = replace(floor_area_units.floor_area_unit, '_', '')

),

own_checks as (

    select
        parsed.*,
        case
            when parsed.site_id is null then 'missing_id'
            when
                {{ is_json_container('parsed.id') }}
                or {{ is_json_container('parsed.company_id') }}
                then 'bad_id'
            when companies.company_id is null then 'orphan_company'
            when companies.quarantine_reason is not null
                then 'company_quarantined'
        end as quarantine_reason,
        case
            when {{ is_blank('parsed.gross_floor_area') }} then null
            when parsed.parsed_gross_floor_area is null then 'bad_number'
            when
                parsed.parsed_gross_floor_area < 0
                or {{ is_out_of_range('parsed.parsed_gross_floor_area') }}
                then 'out_of_range'
        end as gross_floor_area_issue,
        case
            when
                not {{ is_blank('parsed.gross_floor_area_units') }}
                and parsed.parsed_floor_area_unit is null
                then 'unknown_unit'
        end as gross_floor_area_units_issue,
        case
            when {{ is_blank('parsed.data_collection_stop_date') }} then null
            when parsed.parsed_stop_date is null then 'bad_date'
            when {{ is_implausible_date('parsed.parsed_stop_date') }}
                then 'implausible_date'
        end as data_collection_stop_date_issue,
        case
            when
                not {{ is_blank('parsed.country') }}
                and parsed.parsed_country_code is null
                then 'unknown_country'
        end as country_issue
    from parsed
    left join companies
        on parsed.parsed_company_id = companies.company_id

),

link_checks as (

    select
        own_checks.*,
        case
            when own_checks.parsed_mirror_site_id is null then null
            when {{ is_json_container('own_checks.mirror_site_id') }}
                then 'bad_id'
            when own_checks.parsed_mirror_site_id = own_checks.site_id
                then 'self_link'
            when mirror_sites.site_id is null then 'orphan_site'
            when mirror_sites.quarantine_reason is not null
                then 'site_quarantined'
        end as mirror_site_id_issue
    from own_checks
    left join own_checks as mirror_sites
        on own_checks.parsed_mirror_site_id = mirror_sites.site_id

),

screened as (

    select
        site_id as record_id,
        site_id,
        parsed_company_id as company_id,
        {{ clean_text('name') }} as site_name,
        {{ clean_text('address') }} as address,
        {{ clean_text('city') }} as city,
        {{ clean_text('region') }} as region,
        {{ clean_text('postal_code') }} as postal_code,
        {{ clean_text('country') }} as country,
        parsed_country_code as country_code,
        parsed_currency_code as currency_code,
        case
            when gross_floor_area_issue is null
                then cast(parsed_gross_floor_area as {{ dbt.type_numeric() }})
        end as gross_floor_area,
        case
            when {{ is_blank('gross_floor_area_units') }} then 'SQ_FT'
            else parsed_floor_area_unit
        end as gross_floor_area_units,
        case
            when data_collection_stop_date_issue is null then parsed_stop_date
        end as data_collection_stop_date,
        case
            when mirror_site_id_issue is null then parsed_mirror_site_id
        end as mirror_site_id,
        upper({{ clean_text('grid_region') }}) as grid_region,
        gross_floor_area_issue,
        gross_floor_area_units_issue,
        data_collection_stop_date_issue,
        mirror_site_id_issue,
        country_issue,
        {{ unparsed_flag('gross_floor_area', 'parsed_gross_floor_area') }}
            as gross_floor_area_unparsed,
        {{ unparsed_flag('gross_floor_area_units', 'parsed_floor_area_unit') }}
            as gross_floor_area_units_unparsed,
        {{ unparsed_flag('data_collection_stop_date', 'parsed_stop_date') }}
            as data_collection_stop_date_unparsed,
        {{ unparsed_flag('country', 'parsed_country_code') }}
            as country_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        quarantine_reason,
        {{ json_object_text([
            'id', 'company_id', 'name', 'address', 'city', 'region',
            'postal_code', 'country', 'gross_floor_area',
            'gross_floor_area_units', 'data_collection_stop_date',
            'mirror_site_id', 'grid_region', 'updated_at'
        ]) }} as raw_values
    from link_checks

)

select * from screened
