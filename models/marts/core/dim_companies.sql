with

companies as (

    select * from {{ ref('int_companies_clean') }}

),

sites as (

    select * from {{ ref('int_sites_clean') }}

),

site_counts as (

    select
        company_id,
        count(*) as site_count
    from sites
    group by company_id

),

final as (

    select
        companies.company_id,
        companies.company_name,
        companies.implied_sewer_fraction,
        cast(coalesce(site_counts.site_count, 0) as integer) as site_count
    from companies
    left join site_counts
        on companies.company_id = site_counts.company_id

)

select * from final
