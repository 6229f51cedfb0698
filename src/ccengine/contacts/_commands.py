"""``ccengine import`` and ``ccengine export``: contact lists and call records from the shell."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import trio
from tqdm import tqdm

from ccengine import domain as d
from ccengine.contacts._export import export_calls, export_list
from ccengine.contacts._import import ImportSummary, import_file
from ccengine.errors import CCEngineError, NotFound
from ccengine.store import Store

DEFAULT_DB = "ccengine.db"


def register(commands: Any) -> None:
    i = commands.add_parser("import", help="import a contact list (CSV) into a campaign",
                            description="Import a CSV contact list into a campaign (docs/contacts.md).")
    i.add_argument("file")
    i.add_argument("--campaign", required=True, help="campaign name")
    i.add_argument("--list", dest="list_name", help="list name (default: the file's name)")
    header = i.add_mutually_exclusive_group()
    header.add_argument("--header", dest="header", action="store_true", default=None,
                        help="the first row holds column names")
    header.add_argument("--no-header", dest="header", action="store_false", help="the first row is a contact")
    i.add_argument("--phone-column", help="name or 1-based number of the phone column (default: detected)")
    i.add_argument("--country", default="FR", help="country of numbers written without +code (default FR)")
    i.add_argument("--delimiter", choices=[",", ";", "tab"], help="default: detected")
    i.add_argument("--paused", action="store_true", help="leave the list paused after the import")
    i.add_argument("--create-campaign", action="store_true", help="create the campaign if it does not exist")
    i.add_argument("--json", action="store_true", help="print the summary as JSON")
    _store_options(i)
    i.set_defaults(run=run_import)

    e = commands.add_parser("export", help="export a contact list or call records as spreadsheet-safe CSV")
    e.add_argument("--campaign", required=True)
    what = e.add_mutually_exclusive_group(required=True)
    what.add_argument("--list", dest="list_name", help="the list to export")
    what.add_argument("--calls", action="store_true", help="the campaign's call records")
    e.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    _store_options(e)
    e.set_defaults(run=run_export)


def _store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", default=os.environ.get("CCENGINE_DB", DEFAULT_DB),
                        help=f"SQLite database (default $CCENGINE_DB or {DEFAULT_DB})")
    parser.add_argument("--tenant", default="default")


async def _campaign(store: Store, args: argparse.Namespace, create: bool) -> d.Campaign:
    try:
        tenant = await store.tenant(args.tenant)
    except NotFound:
        if not create:
            raise
        tenant = await store.create_tenant(args.tenant)
    try:
        return await store.campaign((tenant.id, args.campaign))
    except NotFound:
        if not create:
            raise CCEngineError(f"no campaign {args.campaign!r} (use --create-campaign to create it)",
                                "not-found") from None
        return await store.create_campaign(d.Campaign(id=0, tenant_id=tenant.id, name=args.campaign))


def run_import(args: argparse.Namespace) -> int:
    phone_column: str | int | None = args.phone_column
    if isinstance(phone_column, str) and phone_column.isdigit():
        phone_column = int(phone_column)
    delimiter = "\t" if args.delimiter == "tab" else args.delimiter
    size = os.path.getsize(args.file) if os.path.exists(args.file) else 0
    bar = tqdm(total=size, unit="B", unit_scale=True, desc="import", disable=None if not args.json else True,
               file=sys.stderr)

    def progress(done: int, _total: int) -> None:
        bar.update(done - bar.n)

    async def main() -> ImportSummary:
        with Store(args.db) as store:
            campaign = await _campaign(store, args, args.create_campaign)
            return await import_file(
                store, args.file, campaign_id=campaign.id, list_name=args.list_name, region=args.country.upper(),
                header=args.header, phone_column=phone_column, delimiter=delimiter, activate=not args.paused,
                progress=progress)

    try:
        summary = trio.run(main)
    finally:
        bar.close()
    if args.json:
        print(json.dumps(summary.as_dict(), ensure_ascii=False, indent=2))
        return 0
    rate = (summary.accepted + summary.rejected) / summary.seconds if summary.seconds else 0
    print(f"{summary.file}: {summary.accepted:,} contacts imported, {summary.rejected:,} rejected "
          f"in {summary.seconds:.2f} s ({rate:,.0f} rows/s)")
    print(f"  encoding {summary.encoding}, delimiter {summary.delimiter!r}, "
          f"{'header row' if summary.header else 'no header'}, phone column {summary.phone_column!r}")
    for reason, count in summary.rejected_by_reason.items():
        print(f"  {reason:<24} {count:,}")
    for line, reason, detail in summary.rejections[:20]:
        print(f"  line {line}: {reason}: {detail}")
    if summary.rejected > 20:
        print(f"  … {summary.rejected - 20:,} more (ccengine export or the API list them all)")
    return 0


def run_export(args: argparse.Namespace) -> int:
    async def main() -> int:
        with Store(args.db) as store:
            campaign = await _campaign(store, args, False)
            out = sys.stdout if args.output == "-" else open(args.output, "w", newline="", encoding="utf-8")  # noqa: SIM115
            try:
                if args.calls:
                    return await export_calls(store, campaign.id, out)
                lst = await store.contact_list((campaign.id, args.list_name))
                return await export_list(store, lst.id, out)
            finally:
                if out is not sys.stdout:
                    out.close()

    rows = trio.run(main)
    print(f"{rows:,} rows exported", file=sys.stderr)
    return 0
