{#- The clean sites: rows that passed screening. -#}
with

screened_sites as (

    select * from {{ ref('int_sites_screened') }}

),

clean_sites as (

    select
        site_id,
        company_id,
        site_name,
        address,
        city,
        region,
        postal_code,
        country,
        country_code,
        currency_code,
        gross_floor_area,
        gross_floor_area_units,
        data_collection_stop_date,
        mirror_site_id,
        grid_region
    from screened_sites
    where quarantine_reason is null

)

select * from clean_sites
