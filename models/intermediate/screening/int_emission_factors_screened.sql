{#- Every emission factor of the optional landing file (latest version per
    key: region, commodity, year and method, see emission_factor_key),
    typed, with the reason it is quarantined (null = clean). Required: a
    region (missing_id), an energy commodity (unknown_commodity), a whole
    year from plausible_date_min's year (bad_year), a method location or
    residual_mix in any case (bad_method) and co2_kg_per_kwh; ch4 and n2o
    are optional (empty = 0). A rate that is not a number or is negative,
    required or not, or one of 1000 kg/kWh or more (no fuel comes near),
    quarantines the row (bad_number): a factor with a gas
    silently dropped would understate CO2e. Rates are parsed exactly
    (parse_rate, decimal_separator honoured). -#}
with

raw_emission_factors as (

    select * from {{ ref('stg_utility__emission_factors') }}

),

commodities as (

    select * from {{ ref('commodities') }}

),

keyed as (

    select
        *,
        {{ emission_factor_key('region', 'commodity', 'year', 'method') }}
            as factor_key
    from raw_emission_factors

),

latest_versions as (

    {{ latest_record_per_key('keyed', 'factor_key') }}

),

parsed as (

    select
        latest_versions.*,
        upper({{ clean_text('latest_versions.region') }}) as parsed_region,
        {{ normalize_enum('latest_versions.commodity') }} as parsed_commodity,
        {{ parse_number('latest_versions.year') }} as parsed_year,
        lower({{ clean_text('latest_versions.method') }}) as parsed_method,
        {{ parse_rate('latest_versions.co2_kg_per_kwh') }} as parsed_co2,
        {{ parse_rate('latest_versions.ch4_kg_per_kwh') }} as parsed_ch4,
        {{ parse_rate('latest_versions.n2o_kg_per_kwh') }} as parsed_n2o
    from latest_versions

),

checked as (

    select
        parsed.*,
        commodities.commodity as known_commodity,
        case
            when parsed.factor_key is null then 'missing_id'
            when
                commodities.commodity is null
                or parsed.parsed_commodity not in (
                    {{ sql_string_list(
                        var('scope_1_commodities') + var('scope_2_commodities')
                    ) }}
                )
                then 'unknown_commodity'
            when
                parsed.parsed_year is null
                or parsed.parsed_year != floor(parsed.parsed_year)
                or parsed.parsed_year
                < {{ var('plausible_date_min')[:4] | int }}
                or parsed.parsed_year > 9999
                then 'bad_year'
            when
                parsed.parsed_method is null
                or parsed.parsed_method not in ('location', 'residual_mix')
                then 'bad_method'
            when
                parsed.parsed_co2 is null
                or parsed.parsed_co2 < 0
                or parsed.parsed_ch4 < 0
                or parsed.parsed_n2o < 0
                or parsed.parsed_co2 >= 1000
                or parsed.parsed_ch4 >= 1000
                or parsed.parsed_n2o >= 1000
                or (
                    parsed.parsed_ch4 is null
                    and not {{ is_blank('parsed.ch4_kg_per_kwh') }}
                )
                or (
                    parsed.parsed_n2o is null
                    and not {{ is_blank('parsed.n2o_kg_per_kwh') }}
                )
                then 'bad_number'
        end as quarantine_reason
    from parsed
    left join commodities
        on parsed.parsed_commodity = commodities.commodity

),

screened as (

    select
        factor_key as record_id,
        parsed_region as region,
        parsed_commodity as commodity,
        case
            when quarantine_reason is null or quarantine_reason != 'bad_year'
                then cast(parsed_year as integer)
        end as factor_year,
        parsed_method as method,
        parsed_co2 as co2_kg_per_kwh,
        coalesce(parsed_ch4, 0) as ch4_kg_per_kwh,
        coalesce(parsed_n2o, 0) as n2o_kg_per_kwh,
        {{ clean_text('source') }} as factor_source,
        updated_at,
        _row_number,
        {{ unparsed_flag('commodity', 'known_commodity') }}
            as commodity_unparsed,
        {{ unparsed_flag('year', 'parsed_year') }} as year_unparsed,
        {{ unparsed_flag('co2_kg_per_kwh', 'parsed_co2') }}
            as co2_kg_per_kwh_unparsed,
        {{ unparsed_flag('ch4_kg_per_kwh', 'parsed_ch4') }}
            as ch4_kg_per_kwh_unparsed,
        {{ unparsed_flag('n2o_kg_per_kwh', 'parsed_n2o') }}
            as n2o_kg_per_kwh_unparsed,
        {{ unparsed_flag('updated_at', parse_timestamp('updated_at')) }}
            as updated_at_unparsed,
        quarantine_reason,
        {{ json_object_text([
            'region', 'commodity', 'year', 'method', 'co2_kg_per_kwh',
            'ch4_kg_per_kwh', 'n2o_kg_per_kwh', 'source', 'updated_at'
        ]) }} as raw_values
    from checked

)

select * from screened
