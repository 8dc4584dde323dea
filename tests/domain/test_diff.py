"""Configuration history diffs: readable paths, and the diff really turns before into after."""

import json

from hypothesis import example, given
from hypothesis import strategies as st

from aftersales.domain.diff import DiffLine, apply_diff, json_diff


def as_rows(lines):
    return [(line.path, line.kind, line.before, line.after) for line in lines]


def test_nested_change_names_the_path_an_engineer_reads():
    before = {"hostname": "fw-01", "interfaces": [{"name": "eth0", "ip": "10.0.0.1"}], "ha": True}
    after = {
        "hostname": "fw-02",
        "interfaces": [{"name": "eth0", "ip": "10.0.0.2"}, {"name": "eth1"}],
        "dns": ["1.1.1.1"],
    }
    assert as_rows(json_diff(before, after)) == [
        ("hostname", "changed", "fw-01", "fw-02"),
        ("interfaces[0].ip", "changed", "10.0.0.1", "10.0.0.2"),
        ("interfaces[1]", "added", None, {"name": "eth1"}),
        ("ha", "removed", True, None),
        ("dns", "added", None, ["1.1.1.1"]),
    ]


def test_software_version_is_one_changed_line():
    assert as_rows(json_diff("5.6.1", "5.7.0")) == [("", "changed", "5.6.1", "5.7.0")]


def test_type_change_is_one_changed_line_even_when_python_calls_them_equal():
    assert as_rows(json_diff({"ha": 1}, {"ha": True})) == [("ha", "changed", 1, True)]
    assert as_rows(json_diff({"vlans": [1]}, {"vlans": {"a": 1}})) == [
        ("vlans", "changed", [1], {"a": 1})
    ]


def test_odd_keys_are_quoted_in_the_path():
    assert json_diff({"a.b": 1}, {"a.b": 2})[0].path == '["a.b"]'
    assert json_diff({"主机": 1}, {"主机": 2})[0].path == "主机"


def test_removed_list_items_are_listed_from_the_first():
    assert as_rows(json_diff([1, 2, 3], [1])) == [
        ("[1]", "removed", 2, None),
        ("[2]", "removed", 3, None),
    ]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=4),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4)
    ),
    max_leaves=20,
)


def same_json(a, b) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


@given(json_values, json_values)
@example({"gain": 0.0}, {"gain": -0.0})
def test_applying_the_diff_to_before_gives_after(before, after):
    snapshot = json.dumps(before, sort_keys=True)
    assert same_json(apply_diff(before, json_diff(before, after)), after)
    assert json.dumps(before, sort_keys=True) == snapshot  # before is left alone


@given(json_values)
def test_a_value_has_no_diff_with_itself(value):
    assert json_diff(value, value) == []


@given(json_values, json_values)
def test_every_line_is_a_real_difference(before, after):
    for line in json_diff(before, after):
        assert isinstance(line, DiffLine)
        assert not same_json(line.before, line.after) or line.kind != "changed"
