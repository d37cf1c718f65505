"""Imports and exports of the customer base and the staff: CSV or JSON Lines
files with the keys of docs/formats.md, upserted by external id so that importing
the same file again changes nothing, all or nothing in one transaction.

One call each::

    report = import_file("contacts", "contacts.csv", store=store, region="CZ")
    report = import_bundle("exports/2026-03/", store=store)
    rows = list(export_rows("contacts", store))
"""

from helpdesk_core.imports.exporting import export_kind, export_rows, write_rows
from helpdesk_core.imports.importing import (
    RowsRejected,
    bundle_files,
    default_rejects_path,
    import_bundle,
    import_file,
    import_sources,
)
from helpdesk_core.imports.kinds import KINDS, Kind, Reference, kind_named
from helpdesk_core.imports.planning import Finder, ImportPlan, Write, plan_import, plan_skipping_invalid
from helpdesk_core.imports.readers import SourceFile, SourceRow, format_of
from helpdesk_core.imports.report import FileReport, ImportRejected, ImportReport, RowResult

__all__ = [
    "KINDS",
    "FileReport",
    "Finder",
    "ImportPlan",
    "ImportRejected",
    "ImportReport",
    "Kind",
    "Reference",
    "RowResult",
    "RowsRejected",
    "SourceFile",
    "SourceRow",
    "Write",
    "bundle_files",
    "default_rejects_path",
    "export_kind",
    "export_rows",
    "format_of",
    "import_bundle",
    "import_file",
    "import_sources",
    "kind_named",
    "plan_import",
    "plan_skipping_invalid",
    "write_rows",
]
