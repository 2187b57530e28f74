{#- Quality gate: a required entity (companies, sites, accounts, meters,
    documents, usage_data) whose rows were all quarantined leaves nothing to
    build on; fails with each such entity. (An empty file stops the loader
    before the build.) -#}
{%- set entities = [
    'companies', 'sites', 'accounts', 'meters', 'documents', 'usage_data',
] -%}
with

clean_counts as (

    {%- for entity in entities %}

        select
            '{{ entity }}' as entity,
            count(*) as clean_rows
        from {{ ref('int_' ~ entity ~ '_clean') }}
        {% if not loop.last -%} union all {%- endif %}
    {%- endfor %}

)

select * from clean_counts
where clean_rows = 0
