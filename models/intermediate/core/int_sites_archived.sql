{#- Each clean site, archived when its data_collection_stop_date is set and
    before the run's as-of date (var as_of, default today). -#}
with

sites as (

    select * from {{ ref('int_sites_clean') }}

),

assessed as (

    select
        sites.*,
        coalesce(
            sites.data_collection_stop_date < {{ as_of_date() }}, false
        ) as is_archived
    from sites

)

select * from assessed
