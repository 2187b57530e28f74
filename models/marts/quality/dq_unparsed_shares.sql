{#- The unparsed-share gate: per entity and parsed column (macro
    parsed_columns), the non-empty values (records, latest version per key)
    and those that could not be parsed, with their share and three sample
    values (the most frequent, quoted). A data test fails the build on each
    row whose unparsed_share is above var landing_max_unparsed_share (0.05),
    so that a folder in an unexpected format (day-first dates read
    month-first, decimal commas) never passes with its values emptied. -#}
with

portfolio_column_counts as (

    select * from {{ ref('int_portfolio_parsed_columns_counted') }}

),

bill_column_counts as (

    select * from {{ ref('int_bill_parsed_columns_counted') }}

),

carbon_column_counts as (

    select * from {{ ref('int_carbon_parsed_columns_counted') }}

),

review_column_counts as (

    select * from {{ ref('int_review_parsed_columns_counted') }}

),

unparsed_values as (

    select * from {{ ref('int_unparsed_values_counted') }}

),

column_counts as (

    select * from portfolio_column_counts
    union all
    select * from bill_column_counts
    union all
    select * from carbon_column_counts
    union all
    select * from review_column_counts

),

ranked_samples as (

    select
        entity,
        column_name,
        raw_value,
        row_number() over (
            partition by entity, column_name
            order by row_count desc, {{ binary_collated('raw_value') }}
        ) as sample_rank
    from unparsed_values

),

samples as (

    select
        entity,
        column_name,
        {{ dbt.listagg(
            quoted_text("coalesce(raw_value, '')"), "', '",
            'order by sample_rank'
        ) }} as sample_values
    from ranked_samples
    where sample_rank <= 3
    group by entity, column_name

),

final as (

    select
        column_counts.entity,
        column_counts.column_name,
        cast(column_counts.non_empty_count as integer) as non_empty_count,
        cast(coalesce(column_counts.unparsed_count, 0) as integer)
            as unparsed_count,
        cast(
            cast(
                case
                    when column_counts.non_empty_count > 0
                        then {{ divide_half_away_from_zero(
                            'cast(coalesce(column_counts.unparsed_count, 0)'
                            ~ ' as decimal(38, 0)) * 1000000',
                            'column_counts.non_empty_count'
                        ) }}
                    else 0
                end as decimal(28, 0)
            ) * cast(0.000001 as decimal(7, 6)) as {{ dbt.type_numeric() }}
        ) as unparsed_share,
        samples.sample_values,
        cast(
            {{ var('landing_max_unparsed_share') }} as {{ dbt.type_numeric() }}
        ) as max_unparsed_share
    from column_counts
    left join samples
        on
            column_counts.entity = samples.entity
            and column_counts.column_name = samples.column_name

)

select * from final
