"""MSPDI elements and fields: safe XML with lines, numbers and dates at their place.

Helpers of :mod:`scheduler.importers.mspdi`: :func:`parse_xml_lines` parses with
``defusedxml`` and keeps each element's line; :class:`Fields` reads a number or a
date of an element, recording a placed error or warning in the file's
:class:`~scheduler.importers._common.IssueLog` when it is not one (rules in
:mod:`scheduler.importers._limits`); :func:`project_calendar` reads the work week
and exceptions of a calendar and its base calendars.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import Element, TreeBuilder

from scheduler.errors import UnreadableFileError
from scheduler.importers._common import IssueLog
from scheduler.importers._limits import FIRST_DATE, LAST_DATE, check_date, number, shown

__all__ = [
    "Fields",
    "child_text",
    "minutes",
    "parse_dt",
    "parse_xml",
    "parse_xml_lines",
    "project_calendar",
]

_DUR_RE = re.compile(r"^-?PT(\d+(?:\.\d+)?)H(\d+(?:\.\d+)?)M(\d+(?:\.\d+)?)S$")


def _strip_ns(root: Element) -> Element:
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return root


def child_text(el: Element | None, tag: str, default: str = "") -> str:
    if el is None:
        return default
    value = el.findtext(tag)
    return value.strip() if value is not None else default


def minutes(duration: str) -> float | None:
    m = _DUR_RE.match(duration.strip())
    if not m:
        return None
    h, mi, s = (float(x) for x in m.groups())
    return (h * 60 + mi + s / 60) * (-1 if duration.strip().startswith("-") else 1)


def parse_dt(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.strip()) if value.strip() else None
    except ValueError:
        return None


def parse_xml(data: bytes, filename: str) -> Element:
    """Parse XML safely (defusedxml: no DTD, no entities) and drop namespaces.

    Raises
    ------
    UnreadableFileError
        On a DOCTYPE, an entity, or XML that does not parse.
    """
    return parse_xml_lines(data, filename)[0]


def parse_xml_lines(data: bytes, filename: str) -> tuple[Element, dict[int, int]]:
    """:func:`parse_xml`, plus the line of each element's start tag.

    Returns
    -------
    tuple[Element, dict[int, int]]
        The root, and ``id(element)`` → 1-based line number for every element.

    Raises
    ------
    UnreadableFileError
        On a DOCTYPE, an entity, or XML that does not parse.
    """
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    lines: dict[int, int] = {}

    class _Builder(TreeBuilder):
        def start(self, tag: str, attrs: dict[str, str]) -> Element:
            el = super().start(tag, attrs)
            lines[id(el)] = parser.parser.CurrentLineNumber
            return el

    parser = DET.DefusedXMLParser(target=_Builder(), forbid_dtd=True, forbid_entities=True)
    try:
        parser.feed(data)
        root = parser.close()
    except DefusedXmlException as exc:
        raise UnreadableFileError(
            f"{filename}: refused: the XML declares a DOCTYPE or entities ({type(exc).__name__})"
        ) from exc
    except Exception as exc:  # xml.etree.ElementTree.ParseError and friends
        raise UnreadableFileError(f"{filename}: not well-formed XML ({exc})") from exc
    return _strip_ns(root), lines


@dataclass
class Fields:
    """One file's fields read with their place: element, line, field (module rules)."""

    issues: IssueLog
    lines: dict[int, int]
    _dates: dict[tuple[int, str], datetime | None] = field(default_factory=dict)

    def line(self, el: Element) -> int | None:
        return self.lines.get(id(el))

    def number(
        self,
        el: Element,
        tag: str,
        default: float,
        who: str,
        *,
        low: float = -math.inf,
        high: float = math.inf,
        what: str = "a number",
        warn: bool = False,
    ) -> float | None:
        """The number in ``el``'s child ``tag`` (``default`` when absent or empty).

        Text, ``nan``, ``inf`` or a value outside ``[low, high]`` is an error at the
        element's line naming ``who`` and the field (a warning when ``warn``: the
        field is only informative); then None.
        """
        text = child_text(el, tag)
        if not text:
            return default
        value = number(text)
        if value is not None and low <= value <= high:
            return value
        sentence = f"{who}: {tag} {shown(text)} is not {what}"
        if warn:
            self.issues.warn(el.tag, self.line(el), tag, f"{sentence}; ignored")
        else:
            self.issues.error(el.tag, self.line(el), tag, sentence)
        return None

    def stamp(
        self, el: Element, tag: str, who: str, start: date | None, *, warn: bool
    ) -> datetime | None:
        """The date-time in ``el``'s child ``tag``, or None when absent.

        Text that is no ISO date-time is a warning (the field is ignored); a date
        more than 100 years after the plan start ``start`` an error (a warning and
        ignored when ``warn``). A field read twice is reported once.
        """
        key = (id(el), tag)
        if key not in self._dates:
            self._dates[key] = self._date(el, tag, who, start, warn=warn)
        return self._dates[key]

    def _date(
        self, el: Element, tag: str, who: str, start: date | None, *, warn: bool
    ) -> datetime | None:
        text = child_text(el, tag)
        value = parse_dt(text)
        if value is None:
            if text:
                self.issues.warn(
                    el.tag, self.line(el), tag, f"{who}: {tag} {shown(text)} is not a date; ignored"
                )
            return None
        ok = check_date(
            self.issues,
            el.tag,
            self.line(el),
            tag,
            f"{who}: {tag}",
            value.date(),
            start,
            warning=warn,
        )
        return value if ok else None


def project_calendar(
    root: Element, uid: str, f: Fields
) -> tuple[frozenset[int], set[date], set[date], str]:
    """Work week (weekday() numbers), holidays, extra working days and name of a calendar."""
    cals = {child_text(c, "UID"): c for c in root.findall("Calendars/Calendar")}
    week: dict[int, bool] = {}
    holidays: set[date] = set()
    workdays: set[date] = set()
    name = ""
    seen: set[str] = set()
    first, first_uid = cals.get(uid), uid
    while uid in cals and uid not in seen:
        seen.add(uid)
        cal = cals[uid]
        name = name or child_text(cal, "Name")
        who = f"calendar {uid} {child_text(cal, 'Name')!r}"
        for wd in cal.findall("WeekDays/WeekDay"):
            dtype = f.number(wd, "DayType", -1, who, low=0, high=7, what="a day type 0 to 7")
            working = child_text(wd, "DayWorking") == "1"
            if dtype is not None and 1 <= dtype <= 7:
                week.setdefault((int(dtype) + 5) % 7, working)
            elif dtype == 0:  # older exception form
                _exception(wd.find("TimePeriod"), working, holidays, workdays)
        for exc in cal.findall("Exceptions/Exception"):
            _exception(
                exc.find("TimePeriod"), child_text(exc, "DayWorking") == "1", holidays, workdays
            )
        uid = child_text(cal, "BaseCalendarUID")
    if not week:
        week = {d: d < 5 for d in range(7)}
    for d in range(7):
        week.setdefault(d, d < 5)
    workweek = frozenset(d for d, w in week.items() if w)
    if not workweek and not workdays and first is not None:
        f.issues.error(
            "Calendar",
            f.line(first),
            "WeekDays",
            f"calendar {first_uid} {shown(name)}, the project's: no working day",
        )
        workweek = frozenset(range(5))  # to go on reading; the plan is refused
    return workweek, holidays, workdays, name


def _exception(tp: Element | None, working: bool, holidays: set[date], workdays: set[date]) -> None:
    if tp is None:
        return
    a, b = parse_dt(child_text(tp, "FromDate")), parse_dt(child_text(tp, "ToDate"))
    if a is None or b is None:
        return
    day, last = max(a.date(), FIRST_DATE), min(b.date(), LAST_DATE)
    while day <= last and len(holidays) + len(workdays) < 100_000:
        (workdays if working else holidays).add(day)
        day += timedelta(days=1)
