{#- The unparsed values of the companies, sites, connections, accounts,
    meters, meter identifiers and meter tags, counted per column and value
    (macro unparsed_value_counts); half of int_unparsed_values_counted. -#}
{{ unparsed_value_counts(screened_entity_groups()['portfolio']) }}
