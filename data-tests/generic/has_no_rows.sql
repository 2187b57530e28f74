{#- A finding: fails (or, with severity warn, warns) with the model's rows,
    filtered by the test's `where` config. For data-quality findings that
    a person should look at but that must not stop a build. -#}
{% test has_no_rows(model) %}

select * from {{ model }}

{% endtest %}
