{#- Post-hook of the incremental bill-level models: after new rows replaced
    those of the rebuilt bills (delete+insert on document_id), delete every
    row whose bill no longer exists or no longer has that fingerprint (a
    bill that was removed, superseded or now yields no rows), so that the
    table holds exactly what a full rebuild would. Dispatched: on Spark the
    bill-level models are plain tables rebuilt whole (no DELETE without
    Delta), so there is nothing to prune and the hook is empty. -#}
{% macro prune_stale_document_rows(fingerprints) -%}
    {{ return(adapter.dispatch('prune_stale_document_rows', 'utility_warehouse')(
        fingerprints)) }}
{%- endmacro %}

{% macro default__prune_stale_document_rows(fingerprints) -%}
    delete from {{ this }}
    where not exists (
        select 1
        from {{ fingerprints }} as fingerprints
        where
            fingerprints.document_id = {{ this }}.document_id
            and fingerprints.document_fingerprint
            = {{ this }}.document_fingerprint
    )
{%- endmacro %}

{% macro spark__prune_stale_document_rows(fingerprints) -%}
{%- endmacro %}
