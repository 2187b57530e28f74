{#- Spreads each row of `relation` over the calendar months its period
    overlaps by inclusive daily proration, returning a select of:
      every column of `relation` (the values unchanged),
      month          first day of the calendar month (date),
      overlap_days   days of the period inside that month,
      period_days    days of the whole period (end - start + 1),
      <value>_in_month for each of `value_columns`: the month's part.
    Arguments:
      relation       a relation or CTE name with one row per period;
      start_column   first day of the period (date, included);
      end_column     last day of the period (date, included; >= start);
      value_columns  list of numeric columns to spread.
    Each month gets value / period_days * overlap_days, rounded to six
    decimals so that the parts of a row always add up to the row exactly
    (see prorate_exactly). Leap days, one-day periods and periods over many
    months follow the same rule. -#}
{% macro calendarize(relation, start_column, end_column, value_columns) -%}
    select
        month_parts.*,
        {%- for value_column in value_columns %}
        {{ prorate_exactly(
            'month_parts.' ~ value_column,
            'month_parts.days_before_month',
            'month_parts.days_before_month + month_parts.overlap_days',
            'month_parts.period_days'
        ) }} as {{ value_column }}_in_month{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select
            month_bounds.*,
            {{ dbt.datediff('month_bounds.overlap_start',
                            'month_bounds.overlap_end', 'day') }} + 1
                as overlap_days,
            {{ dbt.datediff('month_bounds.' ~ start_column,
                            'month_bounds.' ~ end_column, 'day') }} + 1
                as period_days,
            {{ dbt.datediff('month_bounds.' ~ start_column,
                            'month_bounds.overlap_start', 'day') }}
                as days_before_month
        from (
            select
                month_starts.*,
                greatest(month_starts.{{ start_column }}, month_starts.month)
                    as overlap_start,
                least(
                    month_starts.{{ end_column }},
                    cast({{ dbt.last_day('month_starts.month', 'month') }}
                        as date)
                ) as overlap_end
            from (
                select
                    month_offsets.*,
                    cast({{ dbt.dateadd(
                        'month',
                        'month_offsets.month_offset',
                        dbt.date_trunc('month', 'month_offsets.' ~ start_column)
                    ) }} as date) as month
                from (
                    {{ expand_month_offsets(
                        relation, start_column, end_column
                    ) }}
                ) as month_offsets
            ) as month_starts
        ) as month_bounds
    ) as month_parts
{%- endmacro %}
