{#- Each clean meter's Primary ID: the identifier of its own account's
    primary_identifier_type if the meter has one; else of its
    secondary_identifier_type; else the first type present in the standard
    order (identifier_type_ranks seed); else any identifier (type, then
    value, ascending). Within a type the smallest normalized value wins. The
    Primary ID shows the trimmed original value; primary_id_rule records
    which rule chose it (none = the meter has no identifier). -#}
with

meters as (

    select * from {{ ref('int_meters_clean') }}

),

accounts as (

    select * from {{ ref('int_accounts_clean') }}

),

meter_identifiers as (

    select * from {{ ref('int_meter_identifiers_clean') }}

),

identifier_type_ranks as (

    select * from {{ ref('identifier_type_ranks') }}

),

candidates as (

    select
        meter_identifiers.meter_id,
        meter_identifiers.identifier_type,
        meter_identifiers.identifier_value,
        meter_identifiers.normalized_value,
        case
            when
                meter_identifiers.identifier_type
                = accounts.primary_identifier_type
                then 'account_primary_type'
            when
                meter_identifiers.identifier_type
                = accounts.secondary_identifier_type
                then 'account_secondary_type'
            when identifier_type_ranks.identifier_rank is not null
                then 'standard_type_order'
            else 'any_identifier'
        end as primary_id_rule,
        case
            when
                meter_identifiers.identifier_type
                = accounts.primary_identifier_type
                then 1
            when
                meter_identifiers.identifier_type
                = accounts.secondary_identifier_type
                then 2
            when identifier_type_ranks.identifier_rank is not null then 3
            else 4
        end as rule_priority,
        identifier_type_ranks.identifier_rank
    from meter_identifiers
    inner join meters
        on meter_identifiers.meter_id = meters.meter_id
    inner join accounts
        on meters.account_id = accounts.account_id
    left join identifier_type_ranks
        on
            meter_identifiers.identifier_type
            = identifier_type_ranks.identifier_type

),

ranked as (

    select
        *,
        row_number() over (
            partition by meter_id
            order by
                rule_priority,
                identifier_rank,
                {{ binary_collated('identifier_type') }},
                {{ binary_collated('normalized_value') }},
                {{ binary_collated('identifier_value') }}
        ) as candidate_rank
    from candidates

),

resolved as (

    select
        meters.meter_id,
        ranked.identifier_value as primary_id,
        ranked.identifier_type as primary_id_type,
        ranked.normalized_value as primary_id_normalized,
        coalesce(ranked.primary_id_rule, 'none') as primary_id_rule
    from meters
    left join ranked
        on
            meters.meter_id = ranked.meter_id
            and ranked.candidate_rank = 1

)

select * from resolved
