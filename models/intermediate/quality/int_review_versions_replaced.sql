{#- The replaced versions of the optional finding reviews: a review's key is
    the whole review (finding_review_key), so a finding reviewed many times
    loses nothing here; only the same review written twice is listed, the
    row that did not stand for it (latest updated_at, then the last row in
    the file). Read from the staging view (see replaced_record_versions);
    dq_duplicate_key_versions lists them with the other entities'. -#}
{%- set entities = {
    'finding_reviews': [
        'finding_id', 'status', 'note', 'reviewed_by', 'reviewed_at',
    ],
} -%}
{%- set keys = {
    'finding_reviews': finding_review_key(
        'finding_id', 'status', 'reviewed_at', 'reviewed_by', 'note'
    ),
} -%}
with

replaced_versions as (

    {{ replaced_versions_of_entities(entities, keys) }}

)

select * from replaced_versions
