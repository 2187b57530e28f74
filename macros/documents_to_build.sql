{#- The bills an incremental bill-level model must (re)build: in a full
    build every bill of `fingerprints` (int_document_fingerprints); in an
    incremental run only those whose fingerprint differs from the one the
    model's existing rows carry (new bills, changed bills, bills whose
    meters, sites, account or as-of-dependent archive flag changed). A
    select of (document_id, document_fingerprint). -#}
{% macro documents_to_build(fingerprints) -%}
    select
        fingerprints.document_id,
        fingerprints.document_fingerprint
    from {{ fingerprints }} as fingerprints
    {%- if is_incremental_build() %}
    left join (
        select distinct
            document_id,
            document_fingerprint
        from {{ this }}
    ) as built
        on fingerprints.document_id = built.document_id
    where
        built.document_fingerprint is null
        or built.document_fingerprint != fingerprints.document_fingerprint
    {%- endif %}
{%- endmacro %}
