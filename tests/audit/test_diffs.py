"""An event's before and after as rows by dotted path: changed, added, removed or the same."""

from __future__ import annotations

from zoomadmin_site.audit.diffs import diff_rows


def rows(before, after):
    return [(row.path, row.old, row.new, row.kind) for row in diff_rows(before, after)]


def test_a_changed_value_is_one_row_old_and_new():
    assert rows({"role_name": "Member"}, {"role_name": "Admin"}) == [
        ("role_name", "Member", "Admin", "changed")
    ]


def test_nested_objects_and_lists_become_dotted_paths_with_list_indexes_in_number_order():
    before = {"plan": {"checks": [{"outcome": "pass"}] * 11}}
    after = {"plan": {"checks": [{"outcome": "pass"}] * 10 + [{"outcome": "fail"}]}}
    result = rows(before, after)
    assert [path for path, *_ in result][:3] == [
        "plan.checks.0.outcome",
        "plan.checks.1.outcome",
        "plan.checks.2.outcome",
    ]
    assert result[-1] == ("plan.checks.10.outcome", "pass", "fail", "changed")
    assert sum(1 for *_, kind in result if kind == "same") == 10


def test_a_path_on_one_side_only_is_added_or_removed_not_an_empty_value():
    assert rows({"a": 1}, {"b": ""}) == [("a", "1", "", "removed"), ("b", "", '""', "added")]
    assert rows(None, {"request": 7}) == [("request", "", "7", "added")]
    assert rows({"x": None}, None) == [("x", "null", "", "removed")]


def test_values_of_different_types_are_not_the_same_even_when_python_says_equal():
    assert rows({"n": 1, "b": True, "s": "1"}, {"n": 1.0, "b": 1, "s": 1}) == [
        ("b", "true", "1", "changed"),
        ("n", "1", "1.0", "changed"),
        ("s", "1", "1", "changed"),
    ]


def test_empty_containers_are_values_of_their_own():
    assert rows({"groups": []}, {"groups": ["IT admin"]}) == [
        ("groups", "[]", "", "removed"),
        ("groups.0", "", "IT admin", "added"),
    ]
    assert rows({"a": {}}, {"a": {}}) == [("a", "{}", "{}", "same")]


def test_nothing_recorded_on_either_side_is_no_rows():
    assert rows(None, None) == []
