"""Warnings of one kind print as one line with a count (issue 13: 47 lines for one file)."""

from __future__ import annotations

from scheduler.errors import Issue, group_issues


def _lag(row: int) -> Issue:
    return Issue("Baseline Schedule", row, "Predecessors",
                 f"x.xlsx: Baseline Schedule row {row}: lag '{row}FS+6d 4h' = 6.50 days "
                 "rounded up to 7", "warning")  # fmt: skip


def test_one_line_per_kind_with_count_and_examples() -> None:
    other = Issue("Resources", 4, "Availability", "x.xlsx: Resources row 4: odd", "warning")
    lines = group_issues([_lag(r) for r in range(308, 330)] + [other])
    assert lines == [
        "x.xlsx: Baseline Schedule row 308: lag '308FS+6d 4h' = 6.50 days rounded up to 7 "
        "(and 21 more like it: rows 309, 310, 311, ...)",
        "x.xlsx: Resources row 4: odd",
    ]


def test_a_short_group_names_every_place() -> None:
    assert group_issues([_lag(5), _lag(9)]) == [
        "x.xlsx: Baseline Schedule row 5: lag '5FS+6d 4h' = 6.50 days rounded up to 7 "
        "(and 1 more like it: row 9)"
    ]


def test_different_columns_are_different_kinds() -> None:
    a = Issue("S", 1, "a", "S row 1: value 3 rounded", "warning")
    b = Issue("S", 2, "b", "S row 2: value 4 rounded", "warning")
    assert len(group_issues([a, b])) == 2


def test_the_id_a_placed_message_is_about_does_not_make_a_kind() -> None:
    # bhatticoder's P6 export: one rounding per assignment, resources with letter ids
    def units(line: int, subject: str) -> Issue:
        return Issue("TASKRSRC", line, "target_qty_per_hr",
                     f"b.xer: TASKRSRC line {line}: {subject}: 1.11111 units rounded up to 2",
                     "warning")  # fmt: skip

    lines = group_issues([units(12, "A14610/FR"), units(40, "B7/GW"), units(41, "OCEC1/Scf")])
    assert lines == [
        "b.xer: TASKRSRC line 12: A14610/FR: 1.11111 units rounded up to 2 "
        "(and 2 more like it: lines 40, 41)"  # a file's lines, as the message says
    ]


def test_the_schedule_json_groups_warnings_and_keeps_every_error() -> None:
    from scheduler.solution import Schedule

    warn = [_lag(r) for r in (5, 9, 12)]
    errs = [Issue("S", r, "id", f"S row {r}: id 'x{r}' repeats", "error") for r in (2, 3)]
    doc = Schedule(plan=None, status="invalid", issues=[*errs, *warn]).to_json()
    assert [(i["severity"], i["row"]) for i in doc["issues"]] == [
        ("error", 2),
        ("error", 3),
        ("warning", 5),
    ]
    assert doc["issues"][2]["message"].endswith("(and 2 more like it: rows 9, 12)")


def test_the_issues_sheet_has_one_row_per_kind_of_warning() -> None:
    from openpyxl import Workbook

    from scheduler.report.issues import write_issues
    from scheduler.solution import Schedule

    ws = Workbook().active
    assert ws is not None
    write_issues(ws, Schedule(plan=None, status="invalid", issues=[_lag(r) for r in range(5, 45)]))
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1 and rows[0][:4] == ("warning", "Baseline Schedule", 5, "Predecessors")
    assert str(rows[0][4]).endswith("(and 39 more like it: rows 6, 7, 8, ...)")
