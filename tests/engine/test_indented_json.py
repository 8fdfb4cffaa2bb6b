"""engine/indented_json.py writes exactly the text `json.dumps` writes with the same indent and key order, for
any JSON value (the report card's card.json and the mobile index must not change by a byte)."""
from __future__ import annotations

import enum
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.indented_json import dumps

_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                     st.text())
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner), st.tuples(inner, inner),
                                                         st.dictionaries(st.text(), inner)), max_leaves=40)


class _Number(enum.IntEnum):
    THREE = 3


class _Word(str, enum.Enum):
    LINE = "a\u2028b"


@settings(max_examples=300, deadline=None)
@given(_VALUES)
def test_the_same_text_as_json_dumps(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)
    assert dumps(value, indent=2, sort_keys=False) == json.dumps(value, indent=2, ensure_ascii=False)


@pytest.mark.parametrize("value", [
    {}, [], (), {"b": [1, 2.5, None, True], "a": {}, "c": [[], {}, [[]]]}, "\"\\\x01\x7f\u2028é🙂\n",
    float("nan"), float("-inf"), 1e16, 1e-5, -0.0, 10**30, _Number.THREE, [_Word.LINE, {"k": _Number.THREE}],
])
def test_edge_values(value: Any) -> None:
    assert dumps(value) == json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)


@pytest.mark.parametrize("value", [object(), {1: "a"}, [b"bytes"], {"set": {1}}])
def test_a_key_not_a_string_or_a_value_not_json_raises_type_error(value: Any) -> None:
    with pytest.raises(TypeError):
        dumps(value)
