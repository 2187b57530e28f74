{#- The unparsed values of the documents, usage data and line items, counted
    per column and value (macro unparsed_value_counts); half of
    int_unparsed_values_counted. -#}
{{ unparsed_value_counts(screened_entity_groups()['bills']) }}
