{#- The currency symbols and prefixes an amount may carry, longest first (so
    that US$ wins over $): the symbol column of the currency_symbols seed,
    which a data test (currency_symbols_match_the_amount_grammar) keeps
    equal to this list. Amounts also accept any three-letter code. -#}
{% macro currency_symbols() -%}
    {{ return([
        'F CFA', 'Afl.', 'Bs.S', 'CFPF', 'FCFP', 'Lekë', 'MOP$', 'soʻm', 'ден.',
        'أ.م.', 'ج.س.', 'ج.م.', 'د.أ.', 'د.إ.', 'د.ب.', 'د.ت.', 'د.ج.', 'د.ع.',
        'د.ك.', 'د.ل.', 'د.م.', 'ر.س.', 'ر.ع.', 'ر.ق.', 'ر.ي.', 'ریال', 'ل.س.',
        'ل.ل.', 'नेरू', 'AU$', 'B/.', 'CA$', 'CN¥', 'Cg.', 'EC$', 'Fr.', 'GH₵',
        'Gs.', 'HK$', 'MX$', 'NT$', 'NZ$', 'Nu.', 'RD$', 'Rs.', 'US$', 'WS$',
        'kr.', 'сом', 'сўм', 'රු.', 'A$', 'Ar', 'Br', 'Bs', 'C$', 'CF', 'DA',
        'DT', 'Db', 'FC', 'FG', 'Ft', 'KM', 'Kz', 'Kč', 'LS', 'Le', 'MK', 'R$',
        'RF', 'RM', 'Rp', 'Rs', 'S$', 'S/', 'SR', 'T$', 'UM', 'VT', 'kr', 'zł',
        'КМ', 'ރ.', 'ብር', '$', '£', '¥', '֏', '؋', '৳', '฿', '៛', '₡', '₦', '₨',
        '₩', '₪', '₫', '€', '₭', '₮', '₱', '₲', '₴', '₸', '₹', '₺', '₼', '₽',
        '₾', '￥'
    ]) }}
{%- endmacro %}
