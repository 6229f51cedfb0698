"""Contact lists in and out: the strict, fast CSV import and the spreadsheet-safe export
(docs/contacts.md)."""

from ccengine._native import ContactChunk, ContactReader, ZoneTable, normalize_phone
from ccengine.contacts._export import export_calls, export_list, neutralize
from ccengine.contacts._import import CHUNK_ROWS, ImportSummary, import_file
from ccengine.contacts._zones import zone_table
from ccengine.errors import ContactsError

__all__ = [
    "CHUNK_ROWS",
    "ContactChunk",
    "ContactReader",
    "ContactsError",
    "ImportSummary",
    "ZoneTable",
    "export_calls",
    "export_list",
    "import_file",
    "neutralize",
    "normalize_phone",
    "zone_table",
]
