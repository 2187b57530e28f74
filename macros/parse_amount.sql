{#- Parse a money amount into numeric(38,6): the number grammar of
    number_pattern (without exponent) after removing one currency token
    (currency_token_pattern: a three-letter code in any case, or a symbol
    or prefix of the currency_symbols seed) before or after the number,
    with or without a space ("$1,234.56", "usd 7", "7.00 EUR", "US$ 5",
    "CA$100", "12.00 kr", "1.820,55 €" under ','). A leading minus or
    accounting parentheses ("(12.00)") make it negative. The token is not
    checked against the bill's currency. A plainly formatted value is read
    by a plain cast first. Blank or unparseable text gives null. -#}
{% macro parse_amount(column, decimal_separator=none) -%}
    {{ return(adapter.dispatch('parse_amount', 'utility_warehouse')(
        column, decimal_separator_setting(decimal_separator))) }}
{%- endmacro %}

{#- The regular expressions of the amount steps, shared by the engines
    (anchored, without capture groups, which keeps them fast):
      leading   an optional sign, then a token: removed, the sign put back
      trailing  a token at the end: removed when there is no leading one
    Blanks between token and number: spaces, (narrow) no-break spaces. -#}
{% macro amount_pattern(step) -%}
    {%- set blank = '[ \t  ]*' -%}
    {%- set patterns = {
        'leading': '^[+-]?' ~ blank ~ currency_token_pattern() ~ blank,
        'trailing': blank ~ currency_token_pattern() ~ '$',
    } -%}
    {{ return(patterns[step]) }}
{%- endmacro %}

{#- The sign a text starts with ('' when none). -#}
{% macro leading_sign(text) -%}
    case when left({{ text }}, 1) in ('+', '-') then left({{ text }}, 1) else '' end
{%- endmacro %}

{#- The text of an amount without its accounting parentheses: "(12.00)"
    is "-12.00". -#}
{% macro amount_signed_text(text) -%}
    case
        when left({{ text }}, 1) = '(' and right({{ text }}, 1) = ')'
            then '-' || trim(substr({{ text }}, 2, length({{ text }}) - 2))
        else {{ text }}
    end
{%- endmacro %}

{% macro duckdb__parse_amount(column, decimal_separator) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set signed = amount_signed_text(text) -%}
    {%- set number -%}
        case
            when regexp_matches({{ signed }}, {{ regex_literal(amount_pattern('leading')) }})
                then {{ leading_sign(signed) }} || regexp_replace(
                    {{ signed }}, {{ regex_literal(amount_pattern('leading')) }}, ''
                )
            else regexp_replace(
                {{ signed }}, {{ regex_literal(amount_pattern('trailing')) }}, ''
            )
        end
    {%- endset -%}
    case
        when regexp_full_match(
            {{ text }}, {{ regex_literal(plain_number_pattern(decimal_separator)) }}
        )
            then try_cast(
                {{ plain_number_text(text, decimal_separator) }} as decimal(38, 6)
            )
        when regexp_full_match(
            {{ number }}, {{ regex_literal(number_pattern(decimal_separator)) }}
        )
            then try_cast(
                {{ number_clean_text(number, decimal_separator) }} as decimal(38, 6)
            )
    end
{%- endmacro %}

{#- PostgreSQL: each step once, in lateral subqueries. -#}
{% macro postgres__parse_amount(column, decimal_separator) -%}
    (
        select
            case
                when amount_text.t ~ {{ regex_literal(
                    '^(?:' ~ plain_number_pattern(decimal_separator) ~ ')$') }}
                    then {{ postgres__decimal_from_clean_text(
                        plain_number_text('amount_text.t', decimal_separator)) }}
                when amount_number.n ~ {{ regex_literal(
                    '^(?:' ~ number_pattern(decimal_separator) ~ ')$') }}
                    then {{ postgres__decimal_from_clean_text(
                        number_clean_text('amount_number.n', decimal_separator)) }}
            end
        from (select trim({{ column }}) as t) as amount_text
        cross join lateral (
            select {{ amount_signed_text('amount_text.t') }} as s
        ) as amount_signed
        cross join lateral (
            select
                case
                    when amount_signed.s ~ {{ regex_literal(amount_pattern('leading')) }}
                        then {{ leading_sign('amount_signed.s') }} || regexp_replace(
                            amount_signed.s,
                            {{ regex_literal(amount_pattern('leading')) }},
                            ''
                        )
                    else regexp_replace(
                        amount_signed.s,
                        {{ regex_literal(amount_pattern('trailing')) }},
                        ''
                    )
                end as n
        ) as amount_number
    )
{%- endmacro %}

{#- Spark: the anchored patterns match once, so regexp_replace (which
    replaces every match) removes one token as on the other engines; \z,
    not $, ends the text. -#}
{% macro spark__parse_amount(column, decimal_separator) -%}
    {%- set text = 'trim(' ~ column ~ ')' -%}
    {%- set signed = amount_signed_text(text) -%}
    {%- set number -%}
        case
            when {{ signed }} rlike {{ regex_literal(amount_pattern('leading')) }}
                then {{ leading_sign(signed) }} || regexp_replace(
                    {{ signed }}, {{ regex_literal(amount_pattern('leading')) }}, ''
                )
            else regexp_replace({{ signed }}, {{ regex_literal(
                amount_pattern('trailing')[:-1] ~ '\\z') }}, '')
        end
    {%- endset -%}
    case
        when {{ text }} rlike {{ regex_literal(
            '^(?:' ~ plain_number_pattern(decimal_separator) ~ ')\\z') }}
            then {{ spark__decimal_from_clean_text(
                plain_number_text(text, decimal_separator)) }}
        when {{ number }} rlike {{ regex_literal(
            '^(?:' ~ number_pattern(decimal_separator) ~ ')\\z') }}
            then {{ spark__decimal_from_clean_text(
                number_clean_text(number, decimal_separator)) }}
    end
{%- endmacro %}
