{#- Fails with one row per combination of `columns` that occurs more than
    once (a composite grain such as meter + month). -#}
{% test unique_combination(model, columns) %}

with

grain_counts as (

    select
        {{ columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ columns | join(', ') }}

),

duplicated as (

    select * from grain_counts where row_count > 1

)

select * from duplicated

{% endtest %}
