{#- A lower bound on a column: fails with each row whose value is below
    `minimum` (or equal to it, with inclusive false). Nulls pass: not_null
    says whether a column may be empty. -#}
{% test not_below(model, column_name, minimum, inclusive=true) %}

select *
from {{ model }}
where {{ column_name }} {{ '<' if inclusive else '<=' }} {{ minimum }}

{% endtest %}
