"""The downloadable templates of the credit import: the exact header row the importer reads
(:data:`~rongxin.credit.domain.import_rows.COLUMNS`, Chinese names, in the order of the page's
help), as CSV and as XLSX.

The CSV is the header row alone (UTF-8 with a byte-order mark, so spreadsheet programs open the
Chinese names as text): a department fills in rows under it and uploads it as it is. The XLSX has
the same header on its first sheet (the only sheet the importer reads) and a second sheet, 填写说明,
that explains each column in Chinese with an example value. Example values never sit among the
data rows, where an upload would take them for a record.

Pure: no database access.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rongxin.credit.domain.import_rows import COLUMNS, REQUIRED


@dataclass(frozen=True)
class TemplateColumn:
    key: str  # the importer's key (and the English header it also accepts)
    header: str  # the Chinese header written in the template
    required: bool
    explanation: str
    example: str


def template_columns() -> list[TemplateColumn]:
    """The import's columns with their explanation and an example, in the active language."""
    explained = {
        "subject": (
            _(
                "The 18-character resident ID number of a person, or the 18-character unified social credit "
                "code of an organisation. Lower-case x and spaces are accepted."
            ),
            "371082199001011239",
        ),
        "rule_code": (
            _(
                "The code of a rule of the catalogue in force on the date of the behaviour, one your "
                "department may record (see the rule catalogue)."
            ),
            "P-TRA-01",
        ),
        "points": (
            _(
                "A whole number within the rule's range of points, without a sign (the rule says whether it "
                "is an award or a deduction). Leave it empty for a rule with fixed points."
            ),
            "5",
        ),
        "occurred_at": (
            _(
                "When the behaviour occurred, in Beijing time: YYYY-MM-DD or YYYY-MM-DD HH:MM. Not in the "
                "future; a date cell of the spreadsheet is also accepted."
            ),
            "2026-02-01 09:30",
        ),
        "evidence": (
            _("What proves the record: a decision number, a photo number, a document (at most 2000 characters)."),
            _("Traffic police decision no. 3710822026000123"),
        ),
        "record_id": (
            _(
                "Your department's own number for this record (at most 100 characters). Importing a row with "
                "a number already imported adds nothing, so a file may be uploaded again safely."
            ),
            "JT-2026-000123",
        ),
    }
    return [
        TemplateColumn(
            key=key,
            header=COLUMNS[key][0],
            required=key in REQUIRED,
            explanation=explained[key][0],
            example=str(explained[key][1]),
        )
        for key in COLUMNS
    ]


def template_csv() -> bytes:
    """The CSV template: the header row the importer expects, nothing else."""
    return ("\ufeff" + ",".join(c.header for c in template_columns()) + "\r\n").encode("utf-8")


def template_xlsx() -> bytes:
    """The XLSX template: the header row on the first sheet, each column explained on the second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    columns = template_columns()
    wb = Workbook()
    data = wb.active
    data.title = _("Records")
    data.append([c.header for c in columns])
    for cell, c in zip(data[1], columns, strict=True):
        cell.font = Font(bold=True)
        data.column_dimensions[cell.column_letter].width = max(14, len(c.example) + 4)
    data.freeze_panes = "A2"
    help_sheet = wb.create_sheet(_("How to fill in"))
    help_sheet.append([_("Column name"), _("Also accepted as"), _("Required"), _("What to enter"), _("Example")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for c in columns:
        help_sheet.append([c.header, c.key, _("Yes") if c.required else _("No"), c.explanation, c.example])
    help_sheet.append([])
    help_sheet.append(
        [
            _(
                "Fill in the rows under the header on the first sheet, one record a row, and upload the file. "
                "Only the first sheet is imported; the example values above are not."
            )
        ]
    )
    for letter, width in zip("ABCDE", (12, 14, 8, 80, 36), strict=True):
        help_sheet.column_dimensions[letter].width = width
    # Example values stay text when the sheet is opened (an ID number is no number, a time no formula).
    for row in help_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
