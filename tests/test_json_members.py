"""daemon.json edited as text: the other members, their order, indentation and separators stay."""
import json

import pytest

from hardener.edits.json_members import remove_member, set_member

FILE = '{\n    "debug": true,\n    "registry-mirrors": ["https://a.example", "https://b"],\n    "log-opts": {"max-size": "10m"}\n}\n'


@pytest.mark.parametrize("text, key, value, expected", [
    (FILE, "debug", False, FILE.replace('"debug": true', '"debug": false')),
    (FILE, "icc", False, FILE.replace('"10m"}\n}', '"10m"},\n    "icc": false\n}')),
    ('{\n  "a": 1\n}\n', "log-level", "info", '{\n  "a": 1,\n  "log-level": "info"\n}\n'),
    ('{"a":1}', "icc", False, '{"a":1, "icc":false}'),
    ("{}", "icc", False, '{"icc": false}'),
    ("{\n}\n", "icc", False, '{\n    "icc": false\n}\n'),
    ("", "icc", False, '{\n    "icc": false\n}\n'),
    ('{"名": "值"}', "log-level", "info", '{"名": "值", "log-level": "info"}'),
])
def test_set(text, key, value, expected):
    assert set_member(text, key, value) == expected
    assert json.loads(expected)[key] == value


@pytest.mark.parametrize("key, expected", [
    ("debug", '{\n    "registry-mirrors": ["https://a.example", "https://b"],\n    "log-opts": {"max-size": "10m"}\n}\n'),
    ("registry-mirrors", '{\n    "debug": true,\n    "log-opts": {"max-size": "10m"}\n}\n'),
    ("log-opts", '{\n    "debug": true,\n    "registry-mirrors": ["https://a.example", "https://b"]\n}\n'),
    ("absent", FILE),
])
def test_remove(key, expected):
    assert remove_member(FILE, key) == expected


def test_remove_on_one_line_and_the_last_member():
    assert remove_member('{"a": 1, "b": 2, "c": 3}', "b") == '{"a": 1, "c": 3}'
    assert remove_member('{"a": 1}', "a") == "{}"
    assert remove_member('{"a": 1, "a": 2}', "a") == "{}", "a repeated key goes every time"
