"""Three-point estimates in P6 XER user fields and MS Project duration fields.

``tests/data/three_point.xer`` is ``tiny.xer`` (8 h days) with user fields
"Optimistic / Most Likely / Pessimistic Duration" (days): A1000 4 / 5 / 8, A1010
8 / 10 / 15, the milestone A1030 1 / 1 / 2 (ignored, warned), and two fields that
are no duration ("Max Units", "Optimistic Cost"). ``three_point.xml`` is
``tiny.xml`` (480 minutes a day) with Duration1-3 aliased the same way: task 1
PT32H / PT40H / PT64H = 4 / 5 / 8 days, task 2 PT64H / PT80H / PT120H = 8 / 10 / 15.
"""

from __future__ import annotations

import pytest

from scheduler.errors import InvalidPlanError
from scheduler.importers._three_point import role_of
from scheduler.importers.mspdi import read_mspdi
from scheduler.importers.xer import read_xer
from scheduler.model import Plan
from tests.formats import data


def _three(plan: Plan) -> dict[str, tuple[float, float, float]]:
    assert plan.uncertainty is not None
    return {
        k: (e.optimistic, e.most_likely, e.pessimistic)
        for k, e in plan.uncertainty.estimates.items()
    }


def _edit(raw: bytes, old: str, new: str) -> bytes:
    assert old.encode() in raw
    return raw.replace(old.encode(), new.encode(), 1)


@pytest.mark.parametrize(
    ("label", "role"),
    [
        ("Optimistic Duration", "optimistic"),
        ("Min Duration (d)", "optimistic"),
        ("Best case", "optimistic"),
        ("낙관 기간", "optimistic"),
        ("Most Likely Duration", "most_likely"),
        ("PERT Expected", "most_likely"),
        ("최빈값", "most_likely"),
        ("PRA Max Duration", "pessimistic"),
        ("Worst-case (h)", "pessimistic"),
        ("비관공기", "pessimistic"),
        ("Max Units", None),
        ("Optimistic Cost", None),
        ("Expected Finish", None),
        ("Min / Max", None),
        ("Contractor", None),
        ("", None),
    ],
)
def test_role_of_a_field_title(label: str, role: str | None) -> None:
    assert role_of(label) == role


def test_xer_user_fields_become_estimates() -> None:
    plan = read_xer(data("three_point.xer"), "three_point.xer")
    assert _three(plan) == {"A1000": (4.0, 5.0, 8.0), "A1010": (8.0, 10.0, 15.0)}
    assert plan.uncertainty is not None
    assert plan.uncertainty.estimates["A1000"].distribution == "triangular"
    warned = [str(w) for w in plan.warnings if "A1030" in str(w)]
    assert len(warned) == 1 and "no duration" in warned[0] and "line 48" in warned[0]


def test_xer_hours_in_the_title_count_hours_of_the_calendar() -> None:
    raw = _edit(data("three_point.xer"), "\tPessimistic Duration\t", "\tPessimistic Duration (h)\t")
    raw = _edit(raw, "903\t101\t1\t\t8\t", "903\t101\t1\t\t64\t")  # 64 h / 8 h a day
    raw = _edit(raw, "903\t102\t1\t\t15\t", "903\t102\t1\t\t100\t")  # 12.5 days
    plan = read_xer(raw, "hours.xer")
    assert _three(plan) == {"A1000": (4.0, 5.0, 8.0), "A1010": (8.0, 10.0, 12.5)}


@pytest.mark.parametrize(
    ("old", "new", "line", "match"),
    [
        (
            "902\t102\t1\t\t10\t",
            "902\t102\t1\t\t20\t",
            43,
            r"A1010: three-point values must satisfy 0 <= optimistic <= most likely "
            r"<= pessimistic \(got optimistic 8, most likely 20, pessimistic 15\)",
        ),
        (
            "901\t101\t1\t\t4\t",
            "901\t101\t1\t\tabc\t",
            40,
            r"A1000: optimistic 'abc' is not a number",
        ),
        (
            "903\t101\t1\t\t8\t",
            "999\t101\t1\t\t8\t",
            40,
            r"A1000: a three-point estimate needs all three values; no pessimistic value",
        ),
    ],
)
def test_xer_bad_values_are_placed_errors(old: str, new: str, line: int, match: str) -> None:
    with pytest.raises(InvalidPlanError, match=match) as err:
        read_xer(_edit(data("three_point.xer"), old, new), "bad.xer")
    (issue,) = [i for i in err.value.issues if i.severity == "error"]
    assert (issue.sheet, issue.row, issue.column) == ("UDFVALUE", line, "udf_number")


def test_xer_without_all_three_fields_reads_none_and_says_so() -> None:
    raw = _edit(data("three_point.xer"), "Most Likely Duration", "Contractor")
    plan = read_xer(raw, "two.xer")
    assert plan.uncertainty is None or not plan.uncertainty.estimates
    assert any("without a most likely field" in str(w) for w in plan.warnings)


def test_mspdi_aliased_duration_fields_become_estimates() -> None:
    plan = read_mspdi(data("three_point.xml"), "three_point.xml")
    assert _three(plan) == {"1": (4.0, 5.0, 8.0), "2": (8.0, 10.0, 15.0)}


def test_mspdi_pert_fields_without_aliases() -> None:
    raw = data("three_point.xml")
    start, end = raw.index(b"  <ExtendedAttributes>"), raw.index(b"</ExtendedAttributes>\n")
    plain = raw[:start] + raw[end + len(b"</ExtendedAttributes>\n") :]
    assert _three(read_mspdi(plain, "pert.xml")) == {"1": (4.0, 5.0, 8.0), "2": (8.0, 10.0, 15.0)}
    # the PERT fields are a convention: out of order is a warning, the task stays certain
    swapped = _edit(plain, "<Value>PT80H0M0S</Value>", "<Value>PT160H0M0S</Value>")
    plan = read_mspdi(swapped, "pert.xml")
    assert _three(plan) == {"1": (4.0, 5.0, 8.0)}
    (warned,) = [str(w) for w in plan.warnings if "three-point" in str(w)]
    assert warned.startswith("pert.xml: Task line 28: task 2: three-point values must satisfy")
    assert warned.endswith("; the activity stays certain")


def test_mspdi_declared_fields_out_of_order_are_placed_errors() -> None:
    raw = _edit(data("three_point.xml"), "<Value>PT80H0M0S</Value>", "<Value>PT160H0M0S</Value>")
    with pytest.raises(InvalidPlanError, match=r"task 2: three-point values must satisfy") as err:
        read_mspdi(raw, "bad.xml")
    (issue,) = [i for i in err.value.issues if i.severity == "error"]
    assert (issue.sheet, issue.row, issue.column) == ("Task", 33, "Duration1")
    raw = _edit(data("three_point.xml"), "<Value>PT32H0M0S</Value>", "<Value>four days</Value>")
    with pytest.raises(InvalidPlanError, match=r"task 1: Duration1 \(optimistic\) 'four days'"):
        read_mspdi(raw, "bad.xml")
