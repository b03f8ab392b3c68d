"""Phone numbers as people read them out: one stored form to match on, whatever the format.

Customers, channels and staff write a number in every way there is (`616.234.9992`,
`(616) 234-9992`, `+1 616 234 9992`, `0044 20 7946 0000`). `normalize_phone` keeps its digits
and, where the country is known (the number starts with `+` or `00`, or the address it belongs
to names its country), writes it in E.164 (`+16162349992`); otherwise the national digits
without a trunk `0`. `phone_search_keys` turns what someone types into the digit strings to
look for at the end of that stored form, so the whole number in any format, the number with
or without its country code, and its last four digits all find it.
"""

import unicodedata

# Calling codes several countries share (the North American Numbering Plan's "1").
SHARED_CALLING_CODES = {
    "1": "US CA AG AI AS BB BM BS DM DO GD GU JM KN KY LC MP MS PR SX TC TT VC VG VI",
    "7": "RU KZ",
    "44": "GB GG IM JE",
    "47": "NO SJ",
    "358": "FI AX",
    "61": "AU CC CX",
    "39": "IT VA",
    "212": "MA EH",
    "262": "RE YT",
    "590": "GP BL MF",
    "599": "CW BQ",
}
# ISO 3166-1 alpha-2 → country calling code (ITU-T E.164).
CALLING_CODES = {
    **{
        country: code
        for code, countries in SHARED_CALLING_CODES.items()
        for country in countries.split()
    },
    "EG": "20", "ZA": "27", "GR": "30", "NL": "31", "BE": "32", "FR": "33", "ES": "34",
    "HU": "36", "RO": "40", "CH": "41", "AT": "43", "DK": "45", "SE": "46", "PL": "48",
    "DE": "49", "PE": "51", "MX": "52", "CU": "53", "AR": "54", "BR": "55", "CL": "56",
    "CO": "57", "VE": "58", "MY": "60", "ID": "62", "PH": "63", "NZ": "64", "SG": "65",
    "TH": "66", "JP": "81", "KR": "82", "VN": "84", "CN": "86", "TR": "90", "IN": "91",
    "PK": "92", "AF": "93", "LK": "94", "MM": "95", "IR": "98", "SS": "211", "DZ": "213",
    "TN": "216", "LY": "218", "GM": "220", "SN": "221", "MR": "222", "ML": "223", "GN": "224",
    "CI": "225", "BF": "226", "NE": "227", "TG": "228", "BJ": "229", "MU": "230", "LR": "231",
    "SL": "232", "GH": "233", "NG": "234", "TD": "235", "CF": "236", "CM": "237", "CV": "238",
    "ST": "239", "GQ": "240", "GA": "241", "CG": "242", "CD": "243", "AO": "244", "GW": "245",
    "IO": "246", "SC": "248", "SD": "249", "RW": "250", "ET": "251", "SO": "252", "DJ": "253",
    "KE": "254", "TZ": "255", "UG": "256", "BI": "257", "MZ": "258", "ZM": "260", "MG": "261",
    "ZW": "263", "NA": "264", "MW": "265", "LS": "266", "BW": "267", "SZ": "268", "KM": "269",
    "SH": "290", "ER": "291", "AW": "297", "FO": "298", "GL": "299", "GI": "350", "PT": "351",
    "LU": "352", "IE": "353", "IS": "354", "AL": "355", "MT": "356", "CY": "357", "BG": "359",
    "LT": "370", "LV": "371", "EE": "372", "MD": "373", "AM": "374", "BY": "375", "AD": "376",
    "MC": "377", "SM": "378", "UA": "380", "RS": "381", "ME": "382", "XK": "383", "HR": "385",
    "SI": "386", "BA": "387", "MK": "389", "CZ": "420", "SK": "421", "LI": "423", "FK": "500",
    "BZ": "501", "GT": "502", "SV": "503", "HN": "504", "NI": "505", "CR": "506", "PA": "507",
    "PM": "508", "HT": "509", "BO": "591", "GY": "592", "EC": "593", "GF": "594", "PY": "595",
    "MQ": "596", "SR": "597", "UY": "598", "TL": "670", "NF": "672", "BN": "673", "NR": "674",
    "PG": "675", "TO": "676", "SB": "677", "VU": "678", "FJ": "679", "PW": "680", "WF": "681",
    "CK": "682", "NU": "683", "WS": "685", "KI": "686", "NC": "687", "TV": "688", "PF": "689",
    "TK": "690", "FM": "691", "MH": "692", "KP": "850", "HK": "852", "MO": "853", "KH": "855",
    "LA": "856", "BD": "880", "TW": "886", "MV": "960", "LB": "961", "JO": "962", "SY": "963",
    "IQ": "964", "KW": "965", "SA": "966", "YE": "967", "OM": "968", "PS": "970", "AE": "971",
    "IL": "972", "BH": "973", "QA": "974", "BT": "975", "MN": "976", "NP": "977", "TJ": "992",
    "TM": "993", "AZ": "994", "GE": "995", "KG": "996", "UZ": "998",
}  # fmt: skip
# Countries whose numbers keep their leading 0 after the country code (Italy's landlines).
KEEPS_LEADING_ZERO = frozenset({"IT", "SM", "VA"})
# Fewer digits than this is not a phone number anyone could be found by.
MIN_DIGITS = 4
# A typed number shorter than this is only looked for at the end of stored ones (last digits);
# from this length on, a stored number that is the end of it matches too (typed with a
# country code, stored without one).
MIN_WHOLE_DIGITS = 7
# What may stand between the digits of a phone number as people write it.
PHONE_PUNCTUATION = frozenset(" +-.()/")


def digits_of(text: str) -> str:
    """The decimal digits of `text` as ASCII (a number typed with Arabic-Indic digits too)."""
    return "".join(
        str(unicodedata.decimal(character)) for character in text if character.isdecimal()
    )


def normalize_phone(phone: str, country: str = "") -> str:
    """The stored search form: E.164 (`+16162349992`) when the number or `country` says which
    country it is in, else its national digits without a trunk `0`; "" for no usable number."""
    phone = (phone or "").strip()
    digits = digits_of(phone)
    if len(digits) < MIN_DIGITS:
        return ""
    if phone.startswith("+"):
        return f"+{digits}"
    if digits.startswith("00"):
        return f"+{digits[2:]}"
    country = (country or "").strip().upper()
    code = CALLING_CODES.get(country)
    if code == "1" and len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if digits.startswith("0") and country not in KEEPS_LEADING_ZERO:
        digits = digits[1:]
    return f"+{code}{digits}" if code else digits


def looks_like_phone(text: str) -> bool:
    """Digits and the punctuation people put between them, with enough digits to search by."""
    text = text.strip()
    return len(digits_of(text)) >= MIN_DIGITS and all(
        character.isdecimal() or character in PHONE_PUNCTUATION for character in text
    )


def phone_search_keys(text: str) -> list[str]:
    """The digit strings whose presence at the end of a stored number means `text` names it:
    the typed digits, and without the `00` or trunk `0` a national or dialled-abroad number
    starts with. Empty when `text` is not a phone number."""
    if not looks_like_phone(text):
        return []
    digits = digits_of(text)
    keys = [digits]
    if digits.startswith("00") and len(digits) > 2 + MIN_DIGITS:
        keys.append(digits[2:])
    elif digits.startswith("0") and not digits.startswith("00"):
        keys.append(digits[1:])
    return keys
