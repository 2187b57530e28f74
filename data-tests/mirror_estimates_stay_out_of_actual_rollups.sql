{#- Mirror-site estimates live only in fct_site_monthly_estimated: a site's
    estimated months are months without counted usage of that commodity,
    so the actual rollups must show no metered usage there. Fails with each
    estimated site, commodity and month whose actual figures carry usage. -#}
with

estimated as (

    select * from {{ ref('fct_site_monthly_estimated') }}

),

portfolio as (

    select * from {{ ref('fct_portfolio_monthly') }}

),

filtered as (

    select * from {{ ref('rpt_portfolio_filtered') }}

),

actual as (

    select
        site_id,
        commodity,
        month,
        usage
    from portfolio
    where not is_implied

    union all

    select
        site_id,
        commodity,
        month,
        usage
    from filtered
    where not is_implied

),

leaked as (

    select
        estimated.site_id,
        estimated.commodity,
        estimated.month,
        estimated.estimated_usage,
        actual.usage
    from estimated
    inner join actual
        on
            estimated.site_id = actual.site_id
            and estimated.commodity = actual.commodity
            and estimated.month = actual.month
    where actual.usage != 0

)

select * from leaked
