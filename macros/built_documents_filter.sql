{#- A where-condition keeping the rows an incremental bill-level model must
    rebuild: in an incremental run, the rows of the bills documents_to_build
    names for this model; in a full build, every row. -#}
{% macro built_documents_filter(document_column) -%}
    {%- if is_incremental_build() -%}
        {{ document_column }} in (
            select to_build.document_id
            from (
                {{ documents_to_build(ref('int_document_fingerprints')) }}
            ) as to_build
        )
    {%- else -%}
        1 = 1
    {%- endif -%}
{%- endmacro %}
