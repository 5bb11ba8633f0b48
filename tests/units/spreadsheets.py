"""Build CSV and XLSX uploads in memory for the import tests."""

from __future__ import annotations

import csv
import io

import openpyxl


def csv_bytes(rows, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, url: str, data: bytes, filename: str):
    return client.post(url, data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
