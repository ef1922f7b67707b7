#!/usr/bin/env python3
"""Golden vectors for the `python` canonical form, made by real Python (stdlib only).

For every request body below: json.loads(body), keep the four hashed fields, and record
json.dumps(event, sort_keys=True) and its SHA-256, as the Python service computed the dedup key.
Bodies that json.loads rejects go to python-errors.json with Python's message and position.

Run from anywhere: python3 packages/hashing/vectors/make_vectors.py
"""

import json
import hashlib
import platform
import random
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent


def event(payload, user_id='"user_12345"', event_type='"purchase"', timestamp='"2024-03-15T14:30:00Z"'):
    """A compact body around a payload written as JSON text."""
    return (
        '{"user_id": ' + user_id + ', "event_type": ' + event_type + ', "timestamp": ' + timestamp
        + ', "payload": ' + payload + '}'
    )


def random_floats(seed, count):
    """Doubles from random bit patterns (all magnitudes), written as Python's repr and in other forms."""
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        (x,) = struct.unpack('<d', rng.getrandbits(64).to_bytes(8, 'little'))
        if x != x or x in (float('inf'), float('-inf')):
            continue
        out.append(repr(x))
    return out


def random_decimal_texts(seed, count):
    """Decimal texts with many digits and assorted exponents, most not exactly representable."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        digits = str(rng.randrange(1, 10 ** rng.randrange(1, 25)))
        point = rng.randrange(0, len(digits) + 1)
        text = digits[:point] + '.' + (digits[point:] or '0') if point else '0.' + digits
        if rng.random() < 0.5:
            text += rng.choice('eE') + rng.choice(['', '+', '-']) + str(rng.randrange(0, 40))
        out.append(('-' if rng.random() < 0.3 else '') + text)
    return out


def nested(depth):
    return '[' * depth + '"deep"' + ']' * depth


BODIES = [
    # The Postman collection of the Python service, byte for byte.
    ('postman_event1', '{\n    "user_id": "user_12345",\n    "event_type": "purchase",\n    "timestamp": "2024-03-15T14:30:00Z",\n    "payload": {\n        "product_id": "prod_678",\n        "amount": 99.99,\n        "currency": "USD"\n    }\n}'),
    ('postman_event2', '{\n    "user_id": "user_98765",\n    "event_type": "product_view",\n    "timestamp": "2024-03-15T14:35:12.345Z",\n    "payload": {\n        "product_id": "prod_911",\n        "duration_sec": 45,\n        "category": "electronics"\n    }\n}'),
    ('postman_event1_compact_reordered', '{"payload":{"currency":"USD","amount":99.99,"product_id":"prod_678"},"timestamp":"2024-03-15T14:30:00Z","event_type":"purchase","user_id":"user_12345"}'),
    ('unknown_top_level_fields_ignored', '{"user_id": "u", "extra": {"x": [1, 2]}, "event_type": "t", "id": 7, "timestamp": "ts", "payload": {}, "zzz": null}'),
    ('whitespace_everywhere', ' \r\n\t{ \t"user_id"\r\n: "u" ,\n"event_type":"t",\t"timestamp" :"ts" , "payload" : { "a" : [ 1 , 2 ] } } \n\r\t '),
    ('empty_payload', event('{}')),
    ('empty_containers', event('{"a": [], "b": {}, "c": [[]], "d": [{}], "e": ""}')),
    ('literals', event('{"t": true, "f": false, "n": null, "list": [true, false, null]}')),
    ('nested_objects_and_arrays', event('{"order": {"items": [{"sku": "A1", "qty": 2, "tags": ["x", "y"]}, {"sku": "B2", "qty": 1, "tags": []}], "total": {"amount": 12.5, "currency": "EUR"}}}')),
    ('deep_nesting_100', event('{"d": ' + nested(100) + '}')),
    # Python ints: any size, -0 is 0.
    ('int_small', event('{"a": 0, "b": 1, "c": -1, "d": 42, "e": -42}')),
    ('int_minus_zero', event('{"a": -0, "b": [-0, 0]}')),
    ('int_2_53_plus_1', event('{"a": 9007199254740993, "b": -9007199254740993, "c": 9007199254740992}')),
    ('int_2_64', event('{"a": 18446744073709551616, "b": 18446744073709551615, "c": -18446744073709551616}')),
    ('int_10_30', event('{"a": 1000000000000000000000000000000}')),
    ('int_long', event('{"a": ' + '9' * 400 + ', "b": -' + '1234567890' * 30 + '}')),
    # Python floats: anything written with '.', 'e' or 'E'.
    ('float_100_0', event('{"amount": 100.0, "int": 100}')),
    ('float_99_99', event('{"amount": 99.99}')),
    ('float_0_1', event('{"a": 0.1, "b": 0.2, "c": 0.30000000000000004, "d": 0.3}')),
    ('float_1e_7', event('{"a": 1e-7, "b": 1E-7, "c": 1.0e-7, "d": 0.0000001}')),
    ('float_1E16', event('{"a": 1E16}')),
    ('float_1e_plus16', event('{"a": 1e+16, "b": 1e16, "c": 10000000000000000.0}')),
    ('float_fixed_edge_high', event('{"a": 1e15, "b": 999999999999999.9, "c": 9999999999999998.0, "d": 9999999999999999.0, "e": 1234567890123456.7}')),
    ('float_fixed_edge_low', event('{"a": 0.0001, "b": 1e-4, "c": 0.00009999999999999999, "d": 0.00001, "e": 0.000123, "f": 0.001}')),
    ('float_2_5e_5', event('{"a": 2.5e-5, "b": 2.5E-05}')),
    ('float_123456789_123456789', event('{"a": 123456789.123456789}')),
    ('float_5e_324', event('{"a": 5e-324, "b": 4.9e-324, "c": 2e-324, "d": 2.2250738585072014e-308, "e": 2.225073858507201e-308}')),
    ('float_max', event('{"a": 1.7976931348623157e308, "b": -1.7976931348623157E+308}')),
    ('float_overflow_1e400', event('{"a": 1e400, "b": -1e400, "c": 1.8e308}')),
    ('float_underflow', event('{"a": 1e-400, "b": -1e-400, "c": 1e-325}')),
    ('float_zeros', event('{"a": 0.0, "b": -0.0, "c": 0e0, "d": 0E-0, "e": -0e+5, "f": 0.000}')),
    ('float_1e21_1e22', event('{"a": 1e21, "b": 1e22, "c": 1e23, "d": 1e+30, "e": 1.5e300}')),
    ('float_integral_values', event('{"a": 1.0, "b": -1.0, "c": 1e0, "d": 12345678901234567890.0, "e": 4.50, "f": 2e1}')),
    ('float_rfc8785_numbers', event('{"n": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001]}')),
    ('float_misc', event('{"pi": 3.141592653589793, "e": 2.718281828459045, "eps": 2.220446049250313e-16, "x": 4.35, "y": -1.5, "z": 123e-20}')),
    ('float_random_bit_patterns', event('{"xs": [' + ', '.join(random_floats(8785, 300)) + ']}')),
    ('float_random_decimal_texts', event('{"xs": [' + ', '.join(random_decimal_texts(1, 300)) + ']}')),
    # Strings.
    ('string_non_ascii_raw', event('{"name": "Zoë Saldaña", "city": "São Paulo", "word": "é"}', user_id='"usér_é"')),
    ('string_non_ascii_escaped', event(r'{"name": "Zo\u00eb", "upper_hex": "\u00E9\u00c9"}')),
    ('string_cjk', event('{"text": "中文字符", "jp": "日本語"}', event_type='"購入"')),
    ('string_emoji_raw', event('{"e": "😀", "f": "👍🏽", "g": "🇫🇷"}')),
    ('string_emoji_escaped_pair', event(r'{"e": "\ud83d\ude00", "mixed": "a\uD83D\uDE00b"}')),
    ('string_astral_other', event('{"clef": "𝄞", "max": "\U0010ffff", "gothic": "𐌰"}')),
    ('string_lone_surrogates', event(r'{"hi": "\ud800", "lo": "\udc00", "hi_then_a": "\ud800\u0041", "hi_hi": "\ud800\ud800", "lo_hi": "\udc00\ud800", "end": "x\udbff"}')),
    ('string_control_escaped', event(r'{"nul": "\u0000", "us": "\u001f", "del": "\u007f", "pad": "\u0080", "ls": "\u2028", "ps": "\u2029", "bom": "\ufeff", "last_bmp": "\uffff"}')),
    ('string_raw_del_and_latin1', event('{"del": "\x7f", "nbsp": "\xa0", "c1": "\x85"}')),
    ('string_short_escapes', event(r'{"s": "\b\f\n\r\t", "u": "\u0008\u000c\u000a\u000d\u0009"}')),
    ('string_quotes_backslashes_slashes', event(r'{"q": "say \"hi\"", "b": "C:\\path\\to", "s": "a/b\/c", "mix": "\"\\\/"}')),
    ('string_printable_ascii', event('{"all": ' + json.dumps(''.join(chr(c) for c in range(0x20, 0x7f))) + '}')),
    ('string_long', event('{"text": "' + 'lorem ipsum dolor sit amet ' * 200 + '"}')),
    ('string_in_hashed_fields', event('{}', user_id=r'"u\u00e9\n"', event_type=r'"\ud83d\ude00"', timestamp=r'"2024-03-15T14:30:00\u002b02:00"')),
    # Keys: code point order, duplicates, names that mean something to JS.
    ('keys_case_and_underscore', event('{"a": 1, "B": 2, "_": 3, "b": 4, "A": 5, "0": 6, "": 7, " ": 8, "~": 9}')),
    ('keys_numeric_like', event('{"10": 1, "9": 2, "1": 3, "01": 4, "-1": 5, "1.5": 6, "4294967295": 7, "4294967294": 8}')),
    ('keys_bmp_vs_astral', event(r'{"\uffff": 1, "\ud83d\ude00": 2, "\ue000": 3, "\ud7ff": 4, "\ufb33": 5}')),
    ('keys_rfc8785_sorting', event(r'{"\u20ac": "Euro Sign", "\r": "Carriage Return", "\ufb33": "Hebrew Letter Dalet With Dagesh", "1": "One", "\ud83d\ude00": "Emoji: Grinning Face", "\u0080": "Control", "\u00f6": "Latin Small Letter O With Diaeresis"}')),
    ('keys_lone_surrogates', event(r'{"\ud83d": 1, "\ud83d\uffff": 2, "\ud83d\ude00": 3, "\ud83d\ud83d": 4, "\udc00": 5, "\ud83dA": 6, "\ud83d\ude00\uffff": 7, "\ud83d\ude00\ud83d\ude01": 8}')),
    ('keys_prefixes', event('{"ab": 1, "a": 2, "abc": 3, "aa": 4, "é": 5, "e": 6, "e\u0301": 7}')),
    ('keys_many', event('{' + ', '.join('"k%03d": %d' % (i, i) for i in random.Random(3).sample(range(500), 500)) + '}')),
    ('duplicate_keys_last_wins', event('{"a": 1, "b": 2, "a": 3, "c": {"x": 1, "x": {"y": 2}}}')),
    ('duplicate_top_level_fields', '{"user_id": "first", "event_type": "t", "timestamp": "ts", "payload": {"v": 1}, "user_id": "second", "payload": {"v": 2}}'),
    ('duplicate_keys_escaped_vs_raw', event(r'{"é": 1, "\u00e9": 2, "😀": 3, "\ud83d\ude00": 4}')),
    ('proto_key', event('{"__proto__": {"polluted": true}, "a": 1}')),
    ('js_special_keys', event('{"constructor": {"prototype": 1}, "toJSON": "x", "hasOwnProperty": 2, "valueOf": null, "toString": []}')),
    ('proto_key_nested_and_duplicated', event('{"x": {"__proto__": [1], "__proto__": {"b": 2}}}')),
    ('payload_is_array_of_mixed', event('{"items": [1, 1.0, "1", true, null, [], {}, -0, -0.0, 1e2]}')),
]

ERROR_BODIES = [
    ('empty', ''),
    ('only_whitespace', ' \n '),
    ('trailing_garbage', '{"a": 1} x'),
    ('two_values', '{} {}'),
    ('single_quotes', "{'a': 1}"),
    ('unquoted_key', '{a: 1}'),
    ('missing_colon', '{"a" 1}'),
    ('missing_comma_object', '{"a": 1 "b": 2}'),
    ('missing_comma_array', '[1 2]'),
    ('unclosed_array', '[1, 2'),
    ('unclosed_object', '{"a": 1'),
    ('leading_zero', '01'),
    ('leading_zero_in_array', '[01]'),
    ('negative_leading_zero', '-01'),
    ('dot_without_fraction', '1.'),
    ('dot_without_integer', '.5'),
    ('plus_sign', '+1'),
    ('lone_minus', '-'),
    ('exponent_without_digits', '1e'),
    ('exponent_sign_without_digits', '[1e+]'),
    ('hex_number', '0x10'),
    ('unterminated_string', '{"a": "abc'),
    ('unterminated_after_backslash', '"ab\\'),
    ('raw_tab_in_string', '"a\tb"'),
    ('raw_newline_in_string', '{"a": "line\nbreak"}'),
    ('raw_nul_in_string', '"\x00"'),
    ('invalid_escape', r'"a\x41"'),
    ('invalid_escape_single_quote', r'"\'"'),
    ('short_unicode_escape', r'"\u12"'),
    ('non_hex_unicode_escape', r'"\u12zz"'),
    ('bad_low_surrogate_escape', r'"\ud800\uzzzz"'),
    ('bad_literal_true', 'tru'),
    ('bad_literal_null', '[nul]'),
    ('capitalised_literal', 'True'),
    ('form_feed_is_not_whitespace', '\x0c1'),
    ('nbsp_is_not_whitespace', '\xa01'),
    ('bom', '\ufeff{}'),
    ('multiline_position', '[1,\n2,\n x]'),
]


def vector(name, body):
    doc = json.loads(body)
    hashed = {key: doc[key] for key in ('user_id', 'event_type', 'timestamp', 'payload')}
    canonical = json.dumps(hashed, sort_keys=True)
    return {
        'name': name,
        'body': body,
        'canonical': canonical,
        'sha256': hashlib.sha256(canonical.encode('ascii')).hexdigest(),
    }


def error_vector(name, body):
    try:
        json.loads(body)
    except json.JSONDecodeError as error:
        return {'name': name, 'body': body, 'reason': error.msg, 'position': error.pos}
    raise AssertionError(f'{name}: json.loads accepted {body!r}')


def write(filename, data):
    text = json.dumps(data, indent=1, ensure_ascii=True) + '\n'
    (HERE / filename).write_text(text, encoding='ascii')
    print(f'{filename}: {len(data["vectors"])} vectors')


def main():
    names = [name for name, _ in BODIES + ERROR_BODIES]
    assert len(names) == len(set(names)), 'duplicate vector names'
    made_by = f'make_vectors.py, Python {platform.python_version()}'
    write('python.json', {'generator': made_by, 'vectors': [vector(n, b) for n, b in BODIES]})
    write('python-errors.json', {'generator': made_by, 'vectors': [error_vector(n, b) for n, b in ERROR_BODIES]})


if __name__ == '__main__':
    main()
