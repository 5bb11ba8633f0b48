"""Writing rows as a spreadsheet: CSV (UTF-8 with a byte order mark, so that Excel shows Vietnamese letters) or XLSX
(openpyxl's write-only mode, times as real dates). Shared by every export (entries, rankings, scores, participants).

Cells are formula-safe: a text starting with =, +, -, @ or a control character is never run as a formula. Times are
given as aware datetimes (or naive ones already in Hà Nội time): CSV writes them in ISO 8601 with the +07:00 offset
(or "YYYY-MM-DD HH:MM" in the older entries export), XLSX as dates without a time zone in Hà Nội time.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app

from contest.core import clock

FORMATS = ("csv", "xlsx")
MIMETYPES = {"csv": "text/csv; charset=utf-8",
             "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# A cell starting with one of these is a formula to a spreadsheet: a writer's title must never run as one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local(value: datetime | None, *, naive: bool = True) -> datetime | None:
    """A stored time in Hà Nội time; without tzinfo when `naive` (spreadsheets have no time zones)."""
    if value is None:
        return None
    shown = clock.as_utc(value).astimezone(zone())
    return shown.replace(tzinfo=None) if naive else shown


def text_cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _csv_value(value: Any, time_format: str | None) -> Any:
    if isinstance(value, datetime):
        if time_format is not None:
            return value.strftime(time_format)
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone())
        return value.astimezone(zone()).isoformat(timespec="seconds")
    return text_cell(value)


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]], *, time_format: str | None = None,
               batch: int = 500) -> Iterator[bytes]:
    """The CSV as byte chunks (a BOM first): stream them to a client without holding every row in memory."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in header])
    first = True
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_value(v, time_format) for v in row])
        if count % batch == 0:
            chunk = out.getvalue().encode("utf-8-sig" if first else "utf-8")
            first = False
            out.seek(0)
            out.truncate()
            yield chunk
    yield out.getvalue().encode("utf-8-sig" if first else "utf-8")


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]], *, time_format: str | None = None) -> bytes:
    return b"".join(csv_chunks(header, rows, time_format=time_format))


def to_xlsx(sheet_title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """One sheet in write-only mode (rows are written as they come); datetimes in Hà Nội time, texts never
    formulas."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(sheet_title)[:31])
    sheet.append([str(h) for h in header])
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(zone()).replace(tzinfo=None)
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = ["FORMATS", "FORMULA_START", "MIMETYPES", "csv_chunks", "local", "text_cell", "to_csv", "to_xlsx", "zone"]
