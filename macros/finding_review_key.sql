{#- The key of a raw finding review row: the whole review, since a finding
    may be reviewed many times and every review is kept. Its parts are the
    trimmed finding_id, the normalized status, and reviewed_at, reviewed_by
    and note trimmed, joined by |; each part has ~ written ~~ and | written
    ~| first, so that two different reviews never share a key (a note may
    hold any text). Null when finding_id is blank (missing_id). Two rows
    with the same key are the same review written twice: the latest
    updated_at, then the last row, stands for both
    (dq_duplicate_key_versions lists the other). -#}
{% macro finding_review_key(finding_id, status, reviewed_at, reviewed_by, note) -%}
    case
        when not {{ is_blank(finding_id) }}
            then
                {{ finding_review_key_part('trim(' ~ finding_id ~ ')') }}
                || '|' || {{ finding_review_key_part(normalize_enum(status)) }}
                || '|' || {{ finding_review_key_part(clean_text(reviewed_at)) }}
                || '|' || {{ finding_review_key_part(clean_text(reviewed_by)) }}
                || '|' || {{ finding_review_key_part(clean_text(note)) }}
    end
{%- endmacro %}

{#- One part of finding_review_key: ~ doubled, | escaped as ~|, null as
    empty text. -#}
{% macro finding_review_key_part(expression) -%}
    coalesce(replace(replace({{ expression }}, '~', '~~'), '|', '~|'), '')
{%- endmacro %}
