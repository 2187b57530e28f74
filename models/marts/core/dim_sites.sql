with

sites as (

    select * from {{ ref('int_sites_archived') }}

),

final as (

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
        is_archived,
        data_collection_stop_date,
        mirror_site_id
    from sites

)

select * from final
