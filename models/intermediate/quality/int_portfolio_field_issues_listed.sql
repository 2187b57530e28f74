{#- The field issues of the clean records of the companies, sites,
    connections, accounts, meters, meter identifiers and meter tags (macro
    field_issue_records); half of dq_field_issues. -#}
{{ field_issue_records(screened_entity_groups()['portfolio']) }}
