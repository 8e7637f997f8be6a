"""`haven import`, `haven export`, `haven seed` and `haven stale`: the directory's data in and out.

The command line writes to the directory's store itself, as the data owner (audit actor cli:<user>).
"""
from __future__ import annotations

import json
import os
import sys
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from ..shared.config import data_dir, default_store_url
from .common import actor, error, progress_bar, utc_now

FORMATS = ("csv", "json", "hsds")


def register(subparsers) -> None:
    importing = subparsers.add_parser(
        "import", help="import providers from CSV, JSON or Open Referral HSDS (see docs/import.md)",
        description="Check every record first; write the good ones (with --strict: all or nothing). "
                    "Re-importing a file updates the same providers.")
    importing.add_argument("file", type=Path, help="a .csv, .json, .jsonl or HSDS .json/.zip file, or an HSDS CSV "
                                                   "package (its datapackage.json, folder or zip)")
    importing.add_argument("--strict", action="store_true", help="import nothing when any record is bad")
    importing.add_argument("--format", choices=FORMATS, help="default: from the file name and content")
    importing.add_argument("--geocoder", metavar="NAME",
                           help="a geopy geocoder (e.g. nominatim) for rows without lat/lon; "
                                "default: the offline gazetteer of Dutch places")
    importing.add_argument("--geocoder-user-agent", metavar="UA",
                           help="who is asking, as the geocoder's usage policy requires (e.g. 'haven-import "
                                "you@example.org')")
    importing.add_argument("--chunk-size", type=int, help="providers written per transaction (default 5,000)")
    _common(importing)
    importing.set_defaults(func=cmd_import)

    exporting = subparsers.add_parser("export", help="export every provider as CSV, JSON or HSDS")
    exporting.add_argument("--format", choices=FORMATS, required=True)
    exporting.add_argument("--output", "-o", type=Path, help="file to write (default: standard output)")
    exporting.add_argument("--as-admin", action="store_true",
                           help="include confidential addresses and exact points (CSV and JSON; recorded in "
                                "the audit log); HSDS never carries them")
    _common(exporting, progress=False)
    exporting.set_defaults(func=cmd_export)

    seeding = subparsers.add_parser("seed", help="add synthetic providers (for trying out and load tests)")
    seeding.add_argument("--count", type=int, required=True)
    seeding.add_argument("--seed", type=int, default=0, help="the same seed gives the same providers")
    _common(seeding)
    seeding.set_defaults(func=cmd_seed)

    stale = subparsers.add_parser("stale", help="providers whose capacity count is old, to call, oldest first")
    stale.add_argument("--hours", type=float, default=24.0, help="older than this many hours (default 24)")
    stale.add_argument("--all", action="store_true", help="inactive and temporarily closed providers too")
    stale.add_argument("--json", action="store_true", help="JSON instead of a table")
    _common(stale, progress=False)
    stale.set_defaults(func=cmd_stale)


def _common(parser, progress: bool = True) -> None:
    parser.add_argument("--store", help="store URL (default HAVEN_STORE_URL or sqlite in HAVEN_DATA_DIR)")
    if progress:
        parser.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


@contextmanager
def _store(args):
    from ..directory.store import store_from_url

    store = store_from_url(args.store or default_store_url())
    try:
        yield store
    finally:
        store.close()


def cmd_import(args) -> int:
    from ..directory.importing import ImportFileError, import_providers, read_records

    if args.chunk_size is not None and args.chunk_size < 1:
        return error("import", "--chunk-size must be at least 1")
    if not args.file.exists():
        return error("import", f"no such file: {args.file}")
    try:
        geocoder = _geocoder(args)
    except ValueError as err:
        return error("import", str(err))
    with _store(args) as store:
        try:
            report = import_providers(store, read_records(args.file, args.format), strict=args.strict, now=utc_now(),
                                      actor=actor(), geocoder=geocoder, progress=progress_bar(args),
                                      **({"chunk_size": args.chunk_size} if args.chunk_size else {}))
        except ImportFileError as err:
            return error("import", f"{args.file}: {err}; nothing was imported")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    geocoded = f"; {report.geocoded} placed by {geocoder.name}" if report.geocoded else ""
    if report.refused:
        print(f"Imported nothing: {report.bad_records} of {report.records} records have problems (--strict).",
              file=sys.stderr)
        return 1
    if report.imported == 0:
        # An import that wrote nothing has failed, whatever the reason: scripts must not carry on.
        why = (f"all {report.records} records have problems" if report.records else "the file holds no records")
        print(f"Imported nothing: {why}.", file=sys.stderr)
        return 1
    skipped = f", skipped {report.bad_records} with problems" if report.problems else ""
    print(f"Imported {report.imported} of {report.records} providers{skipped}{geocoded}.")
    return 0


def _geocoder(args):
    from ..directory.importing.geocoding import GazetteerGeocoder, geopy_geocoder

    if not args.geocoder:
        return GazetteerGeocoder()
    if not args.geocoder_user_agent:
        raise ValueError("--geocoder needs --geocoder-user-agent: online geocoders ask who is calling")
    from geopy.exc import GeocoderNotFound

    try:
        return geopy_geocoder(args.geocoder, args.geocoder_user_agent, data_dir())
    except GeocoderNotFound:
        raise ValueError(f"geopy has no geocoder named {args.geocoder!r}") from None


def cmd_export(args) -> int:
    from ..directory.domain.rules import iso
    from ..shared.identity import Caller
    from ..directory.exporting import export
    from ..directory.store import AuditEntry

    subject = actor()
    viewer = Caller(role="admin" if args.as_admin else "caseworker", subject=subject)
    now = utc_now()
    service_of = None
    if args.format == "hsds":
        from ..gateway.hsds import service_of
        if args.as_admin:
            print("haven export: HSDS never carries exact confidential locations; use --format csv or json "
                  "for a complete copy", file=sys.stderr)
    with _store(args) as store:
        revealing = args.as_admin and args.format != "hsds"
        detail = f"format={args.format}; confidential addresses {'included' if revealing else 'redacted'}"
        # Recorded before a single address is written, so a failed export is on the record too.
        store.append_audit(AuditEntry(at=iso(now), actor=subject, role=viewer.role,
                                      action="address.reveal" if revealing else "provider.export",
                                      target=None, request_id=None, detail=detail))
        if args.output:
            with _output(args.output, args.format) as out:
                count = export(store, viewer, now, args.format, out, service_of)
            print(f"Exported {count} providers to {args.output}.", file=sys.stderr)
        else:
            sys.stdout.reconfigure(encoding="utf-8")
            try:
                export(store, viewer, now, args.format, sys.stdout, service_of)
                sys.stdout.flush()
            except BrokenPipeError:
                # The reader (head, less) stopped early: not an error worth a traceback.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                return 1
    return 0


@contextmanager
def _output(path: Path, fmt: str):
    """Written beside the target and moved into place, so a failed export leaves no half file."""
    partial_path = path.with_name(f".{path.name}.partial")
    try:
        with partial_path.open("w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
            yield out
        partial_path.replace(path)
    finally:
        partial_path.unlink(missing_ok=True)


def cmd_seed(args) -> int:
    from ..directory.importing import Row, import_providers
    from ..directory.synthetic import generate_providers

    if args.count < 0:
        return error("seed", "--count must not be negative")
    now = utc_now()
    rows = (Row(f"synthetic provider {number}", data=record)
            for number, record in enumerate(generate_providers(args.count, seed=args.seed, now=now), start=1))
    with _store(args) as store:
        report = import_providers(store, rows, strict=True, now=now, actor=actor(), progress=progress_bar(args),
                                  action="provider.seed")
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.refused:
        return error("seed", "the synthetic providers did not pass the checks; nothing was written")
    print(f"Added {report.imported} synthetic providers (seed {args.seed}).")
    return 0


def cmd_stale(args) -> int:
    from ..directory.stale import stale_providers

    if args.hours < 0:
        return error("stale", "--hours must not be negative")
    with _store(args) as store:
        stale = stale_providers(store, utc_now(), timedelta(hours=args.hours), include_inactive=args.all)
    if args.json:
        json.dump(stale, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not stale:
        print(f"Every provider reported its capacity within the last {args.hours:g} hours.")
        return 0
    rows = [(_age(item["age_hours"]), item["name"], item["phone"], item["email"], item["type"],
             item["municipality"], _counts(item)) for item in stale]
    header = ("age", "name", "phone", "email", "type", "municipality", "last count")
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    print(f"\n{len(stale)} providers to call: capacity older than {args.hours:g} hours, oldest first.")
    return 0


def _counts(item: dict) -> str:
    """The main count, then each old count of a need counted apart: `3/8 bed; medical 2/4 appointment (3 d 1 h)`."""
    own = [f"; {pool['need']} {pool['available']}/{pool['maximum']} {pool['unit']} ({_age(pool['age_hours'])})"
           for pool in item["pools"] if pool["need"] is not None]
    return f"{item['available']}/{item['maximum']} {item['unit']}" + "".join(own)


def _age(hours: float) -> str:
    """`30 h`, or `3 d 4 h` from two days on."""
    if hours < 48:
        return f"{hours:.0f} h"
    days, rest = divmod(round(hours), 24)
    return f"{days} d {rest} h"
