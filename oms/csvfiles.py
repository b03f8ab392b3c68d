"""CSV files staff upload and download: one way to read them, preview them and write them.

Uploads are what spreadsheets export: UTF-8 with or without a byte-order mark, separated by
commas, semicolons (European locales) or tabs, with a header row naming the columns. An
importer reads the file with `read_table`, which refuses a file that is unusable as a whole
(`FileRefused`), checks each row itself, and shows the result as a `PreviewSheet`.

Downloads go through `stream_csv`, whose cells pass `spreadsheet_safe`.
"""

import csv
import hashlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, Self, TypeVar

from django.http import StreamingHttpResponse

from oms.validators import first_non_text, text_problem

DELIMITERS = ",;\t"
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def decode(content: bytes | str) -> str | None:
    """The file as text (UTF-8, with or without a byte-order mark), or None when it is not."""
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None


def sniff_delimiter(text: str) -> str:
    """The separator the header row uses most: comma, semicolon or tab (comma on a tie)."""
    header = text.split("\n", 1)[0]
    return max(DELIMITERS, key=header.count)


def read_records(text: str) -> list[tuple[int, list[str]]]:
    """(record number, stripped cells) for each record that is not blank; the header is 1.

    Raises csv.Error for text the csv module cannot read.
    """
    reader = csv.reader(io.StringIO(text), delimiter=sniff_delimiter(text))
    return [
        (number, [cell.strip() for cell in cells])
        for number, cells in enumerate(reader, start=1)
        if any(cell.strip() for cell in cells)
    ]


def file_hash(text: str) -> str:
    """Names a file's text, e.g. to check that what is applied is what was previewed."""
    return hashlib.sha256(text.encode()).hexdigest()


# --- reading an upload ---------------------------------------------------------------------


class FileRefused(Exception):
    """The file as a whole cannot be used; the message says why, for the person who sent it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Table:
    columns: list[str]  # the header's cells, lower-case
    records: list[tuple[int, list[str]]]  # the rows after the header, as from `read_records`


def read_table(
    content: bytes | str,
    *,
    max_bytes: int,
    max_rows: int,
    header_problem: Callable[[list[str]], str | None],
) -> Table:
    """The header and rows of an uploaded file, or FileRefused with the reason.

    `header_problem(columns)` says what is wrong with the (lower-case) column names, if anything.
    """
    if len(content) > max_bytes:
        raise FileRefused(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    text = decode(content)
    if text is None:
        raise FileRefused("The file is not UTF-8 text. Save it from your spreadsheet as CSV UTF-8.")
    problem = text_problem(text)
    if problem:
        line = text.count("\n", 0, first_non_text(text)) + 1
        raise FileRefused(f"Line {line} of the file: {problem} Save it again as CSV UTF-8.")
    try:
        records = read_records(text)
    except csv.Error as error:
        raise FileRefused(f"The file could not be read as CSV: {error}.") from None
    if not records:
        raise FileRefused("The file is empty.")
    columns = [cell.lower() for cell in records[0][1]]
    problem = header_problem(columns)
    if problem:
        raise FileRefused(problem)
    if len(records) - 1 > max_rows:
        raise FileRefused(f"The file has more than {max_rows} rows; split it into parts.")
    if len(records) == 1:
        raise FileRefused("The file has a header but no rows to import.")
    return Table(columns=columns, records=records[1:])


RowT = TypeVar("RowT")  # a row with an `is_clean` property


@dataclass(frozen=True)
class PreviewSheet(Generic[RowT]):
    """What an import preview shows: each row with its own errors, and problems with the file
    as a whole. Nothing is applied unless the sheet is clean."""

    rows: tuple[RowT, ...] = ()
    problems: tuple[str, ...] = ()

    @classmethod
    def refused(cls, message: str) -> Self:
        return cls(problems=(message,))

    @property
    def is_clean(self) -> bool:
        return bool(self.rows) and not self.problems and all(row.is_clean for row in self.rows)

    @property
    def bad_rows(self) -> list[RowT]:
        return [row for row in self.rows if not row.is_clean]


# --- writing a download --------------------------------------------------------------------


def spreadsheet_safe(value):
    """A cell for a download: text a spreadsheet would run as a formula gets a leading
    apostrophe; None is empty; numbers and dates are left as they are (so -3 stays a number)."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    """A file-like object that hands back what it is given, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def stream_csv(filename: str, header: Iterable[str], rows: Iterable[Iterable]):
    """A CSV download written row by row as the rows are read, whatever their number."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        for row in rows:
            yield writer.writerow([spreadsheet_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
