{#- The field issues of the clean records of the documents, usage data and
    line items (macro field_issue_records); half of dq_field_issues. -#}
{{ field_issue_records(screened_entity_groups()['bills']) }}
