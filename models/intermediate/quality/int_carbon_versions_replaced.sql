{#- The replaced versions of the optional carbon inputs (emission factors,
    keyed by region, commodity, year and method; contractual instruments,
    by id): every landed row that lost to a newer version of the same key
    (latest updated_at, then the last row in the file), read from the
    staging views (see replaced_record_versions). dq_duplicate_key_versions
    lists them with the portfolio's and the bills'. -#}
{%- set entities = {
    'emission_factors': [
        'region', 'commodity', 'year', 'method', 'co2_kg_per_kwh',
        'ch4_kg_per_kwh', 'n2o_kg_per_kwh', 'source',
    ],
    'contractual_instruments': [
        'id', 'company_id', 'site_id', 'market', 'commodity', 'start_date',
        'end_date', 'quantity_kwh', 'co2e_kg_per_kwh', 'instrument_type',
    ],
} -%}
{%- set keys = {
    'emission_factors': emission_factor_key(
        'region', 'commodity', 'year', 'method'
    ),
} -%}
with

replaced_versions as (

    {{ replaced_versions_of_entities(entities, keys) }}

)

select * from replaced_versions
