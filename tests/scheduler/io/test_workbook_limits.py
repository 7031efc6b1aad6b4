"""What a workbook may cost: shared strings, cells and rows counted before any parsing."""

from __future__ import annotations

import io
import random
import time
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

from scheduler.errors import UnreadableFileError
from scheduler.workbook import Limits, read_tables, read_workbook, write_workbook
from scheduler.workbook.safety import check_xlsx
from tests.scheduler.io.test_workbook import big_tables, tiny_tables

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SST_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
SST_REL = (
    b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="/xl/sharedStrings.xml" Id="rIdSST"/>'
)


def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.xlsx"
    write_workbook(tiny_tables(), path)
    return path


def with_shared_strings(path: Path, n: int, prefix: str = "") -> bytes:
    """The workbook at ``path`` plus a shared-strings part of ``n`` one-letter strings."""
    p = f"{prefix}:" if prefix else ""
    letters = random.Random(14).choices("abcdef", k=n)  # compressed ~25:1, as in the field
    xmlns = f'xmlns:{prefix}="{MAIN}"' if prefix else f'xmlns="{MAIN}"'
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{p}sst {xmlns} count="{n}">'.encode()
        + b"".join(f"<{p}si><{p}t>{c}</{p}t></{p}si>".encode() for c in letters)
        + f"</{p}sst>".encode()
    )
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", SST_TYPE + b"</Types>")
            elif info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", SST_REL + b"</Relationships>")
            dst.writestr(info.filename, data)
        dst.writestr("xl/sharedStrings.xml", sst)
    return out.getvalue()


def cells_of(data: bytes) -> dict[str, int]:
    """Cells of each worksheet part, counted by a real XML parser."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {
            name: len(ET.fromstring(z.read(name)).findall(f".//{{{MAIN}}}c"))
            for name in z.namelist()
            if name.startswith("xl/worksheets/sheet")
        }


def refusal(data: bytes, limits: Limits) -> str:
    with pytest.raises(UnreadableFileError) as info:
        read_tables(data, limits=limits)
    assert info.value.too_large
    return info.value.reason


# -- shared strings ----------------------------------------------------------------------------
def test_shared_strings_over_the_limit_are_refused_naming_part_count_and_limit(
    tmp_path: Path,
) -> None:
    data = with_shared_strings(plan_file(tmp_path), 51)
    assert refusal(data, Limits(shared_strings=50)) == (
        "xl/sharedStrings.xml holds 51 strings; infraplan reads at most 50 "
        "(a plan of 10,000 activities has about 20,000)"
    )


def test_shared_strings_at_the_limit_are_read(tmp_path: Path) -> None:
    data = with_shared_strings(plan_file(tmp_path), 50)
    assert len(read_tables(data, limits=Limits(shared_strings=50))["activities"]) == 3


def test_prefixed_shared_strings_are_counted(tmp_path: Path) -> None:
    data = with_shared_strings(plan_file(tmp_path), 30, prefix="x")
    assert refusal(data, Limits(shared_strings=29)).startswith(
        "xl/sharedStrings.xml holds 30 strings;"
    )


def with_sst(tmp_path: Path, sst: bytes) -> bytes:
    """The plan's workbook with ``sst`` as its shared-strings part."""
    data = with_shared_strings(plan_file(tmp_path), 1)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            dst.writestr(info.filename, sst if info.filename == "xl/sharedStrings.xml" else body)
    return out.getvalue()


def test_a_part_binding_many_prefixes_to_the_spreadsheet_namespace_is_refused(
    tmp_path: Path,
) -> None:
    items = (f'<p{i}:si xmlns:p{i}="{MAIN}"><p{i}:t>a</p{i}:t></p{i}:si>' for i in range(5))
    data = with_sst(tmp_path, f'<sst xmlns="{MAIN}">{"".join(items)}</sst>'.encode())
    with pytest.raises(UnreadableFileError) as info:
        read_tables(data)
    assert info.value.reason == (
        "part xl/sharedStrings.xml binds 5 prefixes to the spreadsheet namespace; refused"
    )


def test_strings_with_a_prefix_declared_on_each_item_are_counted(tmp_path: Path) -> None:
    items = f'<y:si xmlns:y="{MAIN}"><y:t>a</y:t></y:si>' * 12
    data = with_sst(tmp_path, f'<sst xmlns="{MAIN}">{items}</sst>'.encode())
    assert refusal(data, Limits(shared_strings=11)).startswith(
        "xl/sharedStrings.xml holds 12 strings;"
    )


def test_strings_across_the_read_chunks_are_counted_once(tmp_path: Path) -> None:
    data = with_shared_strings(plan_file(tmp_path), 150_000)  # 2.4 MiB: three chunks
    assert refusal(data, Limits(shared_strings=149_999)).startswith(
        "xl/sharedStrings.xml holds 150,000 strings;"
    )
    check_xlsx(data, Limits(shared_strings=150_000))


def test_a_realistic_shared_strings_bomb_is_refused_in_bounded_time(tmp_path: Path) -> None:
    data = with_shared_strings(plan_file(tmp_path), 400_000)  # 6.5 MiB unpacked, 270 KiB
    started = time.perf_counter()
    with pytest.raises(UnreadableFileError) as info:
        read_workbook(data)  # the default limits
    elapsed = time.perf_counter() - started
    assert info.value.reason.startswith(
        "xl/sharedStrings.xml holds 400,000 strings; infraplan reads at most 200,000"
    )
    assert elapsed < 5  # 0.3 s on a loaded machine; parsing them took minutes


# -- cells and rows ----------------------------------------------------------------------------
def test_a_sheet_with_too_many_cells_is_refused_with_its_real_count(tmp_path: Path) -> None:
    data = plan_file(tmp_path).read_bytes()
    counts = cells_of(data)
    part, n = max(counts.items(), key=lambda kv: kv[1])  # Activities
    assert refusal(data, Limits(sheet_cells=n - 1)) == (
        f"{part} holds {n:,} cells; infraplan reads at most {n - 1:,} in one sheet"
    )
    assert read_tables(data, limits=Limits(sheet_cells=n))["activities"]


def test_cells_of_all_sheets_together_are_bounded(tmp_path: Path) -> None:
    data = plan_file(tmp_path).read_bytes()
    total = sum(cells_of(data).values())
    assert refusal(data, Limits(cells=total - 1)) == (
        f"the workbook's sheets hold {total:,} cells; infraplan reads at most "
        f"{total - 1:,} in all sheets together"
    )
    assert read_tables(data, limits=Limits(cells=total))["activities"]


def test_a_sheet_with_too_many_rows_is_refused(tmp_path: Path) -> None:
    data = plan_file(tmp_path).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        rows = {
            n: len(ET.fromstring(z.read(n)).findall(f".//{{{MAIN}}}row"))
            for n in z.namelist()
            if n.startswith("xl/worksheets/sheet")
        }
    part, n = max(rows.items(), key=lambda kv: kv[1])
    assert refusal(data, Limits(sheet_rows=n - 1)) == (
        f"{part} holds {n:,} rows; infraplan reads at most {n - 1:,} in one sheet "
        "(Excel's last row)"
    )


def test_check_xlsx_refuses_for_other_readers(tmp_path: Path) -> None:
    data = with_shared_strings(plan_file(tmp_path), 11)
    with pytest.raises(UnreadableFileError, match="holds 11 strings; infraplan reads at most 10"):
        check_xlsx(data, Limits(shared_strings=10))
    check_xlsx(data)  # within the default limits


def test_a_ten_thousand_activity_plan_is_far_below_the_default_limits(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    write_workbook(big_tables(2_000), path)  # cells grow with activities: x5 for 10,000
    data = path.read_bytes()
    counts = cells_of(data)
    limits = Limits()
    assert max(counts.values()) == 12_018  # Activities: 6 columns given, and the 18-cell header
    assert max(counts.values()) * 5 * 5 < limits.sheet_cells  # 10,000 activities: 5x margin
    assert sum(counts.values()) * 5 * 5 < limits.cells
    check_xlsx(data)


def test_the_generated_hundred_thousand_activity_plan_fits_the_default_limits(
    tmp_path: Path,
) -> None:
    # issue 9's largest plan (`infraplan bench scale --activities 100000`): its sheets hold
    # about 50x the cells of the same generator's 2,000-activity plan (Activities exactly:
    # 10 columns a row); measured on the 100,000 file: 1,000,018 and 1,807,142 in all
    from benchmarks.scale import generate_tables

    path = tmp_path / "scale.xlsx"
    write_workbook(generate_tables(2_000, 40, 0), path)
    counts = cells_of(path.read_bytes())
    limits = Limits()
    assert max(counts.values()) == 20_018
    assert (max(counts.values()) - 18) * 50 + 18 == 1_000_018 < limits.sheet_cells
    assert sum(counts.values()) * 50 < limits.cells


def test_the_dslib_reader_refuses_a_shared_strings_bomb_before_parsing(tmp_path: Path) -> None:
    from scheduler.importers.dslib import read_dslib

    data = with_shared_strings(plan_file(tmp_path), 250_000)
    with pytest.raises(UnreadableFileError, match="holds 250,000 strings; infraplan reads at most"):
        read_dslib(data, "project.xlsx")
