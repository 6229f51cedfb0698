"""The native contact-file reader: files written here (BOMs, Latin-1, UTF-16, mixed line
endings, NUL bytes, a 1 MB field, bad numbers, unreadable files), exact lines and slugs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ccengine._native import ContactReader, ZoneTable, normalize_phone
from ccengine.errors import CCEngineError, ContactsError

ZONES = ZoneTable(
    [
        ("1", "America/New_York&America/Chicago&America/Denver&America/Los_Angeles"),
        ("1212", "America/New_York"),
        ("33", "Europe/Paris"),
        ("44", "Europe/London"),
    ]
)


def write(tmp_path: Path, data: bytes | str, name: str = "contacts.csv") -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def read(path: str, **options) -> tuple[ContactReader, list[tuple], list[tuple[int, str, str]]]:
    kwargs = {"region": "FR", "zones": ZONES, "campaign": 7, "list": 9, **options}
    reader = ContactReader(path, **kwargs)
    rows: list[tuple] = []
    rejected: list[tuple[int, str, str]] = []
    position = 0
    while (chunk := reader.read(3)) is not None:
        rows += chunk.rows
        rejected += chunk.rejected
        assert chunk.position >= position
        position = chunk.position
    assert position == reader.size
    return reader, rows, rejected


def slugs(rejected: list[tuple[int, str, str]]) -> list[tuple[int, str]]:
    return [(line, slug) for line, slug, _ in rejected]


def test_a_messy_utf8_file(tmp_path: Path):
    text = (
        "Nom;Téléphone;Ville\r\n"
        "Ann;06.12.34.56.78;Paris\r\n"
        "Bob;06 12 34 56 79;Lyon\n"
        "\n"
        '"Cé;cile";+1(212)736-5000;"New\nYork"\r'
        "Dan;0612345678;dup\n"
        "Gus;;x\n"
        "Lou;+44.20.7946.0958\n"
    )
    reader, rows, rejected = read(write(tmp_path, text))
    assert (reader.encoding, reader.delimiter, reader.header) == ("utf-8", ";", True)
    assert (reader.columns, reader.phone_column) == (["Nom", "Téléphone", "Ville"], 1)
    assert rows == [
        (7, 9, 33612345678, "Europe/Paris", 2, '{"Nom":"Ann","Ville":"Paris"}'),
        (7, 9, 12127365000, "America/New_York", 5, '{"Nom":"Cé;cile","Ville":"New\\nYork"}'),
        (7, 9, 442079460958, "Europe/London", 9, '{"Nom":"Lou"}'),
    ]
    assert json.loads(rows[1][5]) == {"Nom": "Cé;cile", "Ville": "New\nYork"}
    assert slugs(rejected) == [(3, "phone-characters"), (7, "duplicate-in-file"), (8, "phone-missing")]
    assert "line 2" in rejected[1][2]


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [(b"\xef\xbb\xbf", "utf-8-sig"), (b"", "utf-8")],
)
def test_utf8_with_and_without_bom(tmp_path: Path, bom: bytes, encoding: str):
    reader, rows, _ = read(write(tmp_path, bom + "téléphone,prénom\n0612345678,Zoë\n".encode()))
    assert reader.encoding == encoding
    assert reader.columns == ["téléphone", "prénom"]
    assert rows[0][2:] == (33612345678, "Europe/Paris", 2, '{"prénom":"Zoë"}')


def test_latin1(tmp_path: Path):
    reader, rows, _ = read(write(tmp_path, "téléphone;prénom\n0612345678;Zoë\n".encode("latin-1")))
    assert reader.encoding == "latin-1"
    assert json.loads(rows[0][5]) == {"prénom": "Zoë"}


@pytest.mark.parametrize(("codec", "encoding"), [("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")])
def test_utf16_with_bom(tmp_path: Path, codec: str, encoding: str):
    bom = "\ufeff".encode(codec)
    reader, rows, _ = read(write(tmp_path, bom + "tel\tnom\r\n0612345678\tZoë 😀\r\n".encode(codec)))
    assert (reader.encoding, reader.delimiter) == (encoding, "\t")
    assert json.loads(rows[0][5]) == {"nom": "Zoë 😀"}


def test_invalid_bytes_later_reject_only_their_row(tmp_path: Path):
    lines = b"phone,name\n" + b"".join(b"06%08d,x\n" % i for i in range(10, 100_010))
    reader, rows, rejected = read(write(tmp_path, lines + b"0734567890,\xff\xfe\n0734567891,ok\n"))
    assert reader.encoding == "utf-8"
    assert len(rows) == 100_001
    assert slugs(rejected) == [(100_002, "invalid-encoding")]


def test_mixed_line_endings_and_blank_lines(tmp_path: Path):
    _, rows, _ = read(write(tmp_path, b"tel,n\r\n0612345678,a\r0612345679,b\n\r\n\n0612345670,c\r\n0612345671,d"))
    assert [row[4] for row in rows] == [2, 3, 6, 7]
    # One str object per zone, shared by the rows (and by the chunks).
    assert all(row[3] is rows[0][3] for row in rows)


def test_excel_sep_line_and_blank_rows_are_skipped(tmp_path: Path):
    reader, rows, rejected = read(write(tmp_path, "sep=;\r\nnom;tel\r\n;;\r\nAnn;0612345678\r\n ; \r\n"))
    assert (reader.delimiter, reader.header, reader.columns) == (";", True, ["nom", "tel"])
    assert [(row[4], row[5]) for row in rows] == [(4, '{"nom":"Ann"}')]
    assert rejected == []


def test_nul_bytes_reject_their_row(tmp_path: Path):
    text = b"tel;nom\n" + b"".join(b"06123456%02d;n%d\n" % (i, i) for i in range(40))
    text = text.replace(b";n7\n", b";n\x007\n").replace(b"0612345620", b"06123\x0045620")
    _, rows, rejected = read(write(tmp_path, text))
    assert len(rows) == 38
    assert slugs(rejected) == [(9, "control-character"), (22, "control-character")]
    assert "U+0000" in rejected[0][2]


def test_a_1mb_field(tmp_path: Path):
    text = "tel,note\n0612345678," + "x" * 1_000_000 + "\n0612345679,ok\n"
    _, rows, rejected = read(write(tmp_path, text))
    assert slugs(rejected) == [(2, "field-too-long")]
    assert [row[4] for row in rows] == [3]
    _, rows, rejected = read(write(tmp_path, text), max_field_bytes=2_000_000)
    assert (len(rows), rejected) == (2, [])


@pytest.mark.parametrize(
    ("cell", "slug"),
    [
        ("06 12 34 56 78", "phone-characters"),
        ("06-12-AB-56-78", "phone-characters"),
        ("tel:0612345678", "phone-characters"),
        ("0612", "phone-too-short"),
        ("12", "phone-too-short"),
        ("06123456789012", "phone-too-long"),
        ("+33 6 12", "phone-characters"),
        ("+999123456789", "phone-invalid"),
        ("0012345678", "phone-invalid"),
    ],
)
def test_bad_numbers(tmp_path: Path, cell: str, slug: str):
    _, rows, rejected = read(write(tmp_path, f"nom;tel\nAnn;0612345678\nBob;{cell}\n"))
    assert len(rows) == 1
    assert slugs(rejected) == [(3, slug)]
    with pytest.raises(ContactsError) as err:
        normalize_phone(cell, "FR")
    assert err.value.slug == slug


@pytest.mark.parametrize(
    ("cell", "e164"),
    [
        ("+1(212)736-5000", "+12127365000"),
        ("+44.20.7946.0958", "+442079460958"),
        ("0044.20.7946.0958", "+442079460958"),
        ("+49-30-901820", "+4930901820"),
        ("+39.06.1234.5678", "+390612345678"),
        ("(01)42685300", "+33142685300"),
    ],
)
def test_international_numbers(cell: str, e164: str):
    assert normalize_phone(cell, "FR")[0] == e164


def test_normalize_phone_zones_and_region():
    assert normalize_phone("0612345678", "fr") == ("+33612345678", None)
    assert normalize_phone("0612345678", "FR", zones=ZONES) == ("+33612345678", "Europe/Paris")
    assert normalize_phone("2127365000", "US", zones=ZONES) == ("+12127365000", "America/New_York")
    with pytest.raises(ContactsError) as err:
        normalize_phone("0612345678", "XX")
    assert err.value.slug == "unknown-region"


def test_duplicates_against_campaign_and_do_not_call(tmp_path: Path):
    text = "tel\n0612345678\n0612345679\n0612345670\n06.12.34.56.78\n"
    _, rows, rejected = read(write(tmp_path, text), existing={"+33612345679"}, dnc=[33612345670], header=True)
    assert [row[2] for row in rows] == [33612345678]
    assert slugs(rejected) == [(3, "duplicate-in-campaign"), (4, "do-not-call"), (5, "duplicate-in-file")]


def test_no_header_and_given_column(tmp_path: Path):
    path = write(tmp_path, "Ann\t0612345678\tx\nBob\t0612345679\n")
    reader, rows, _ = read(path)
    assert (reader.header, reader.delimiter, reader.columns) == (False, "\t", ["column_1", "column_2", "column_3"])
    assert [(row[4], json.loads(row[5])) for row in rows] == [
        (1, {"column_1": "Ann", "column_3": "x"}),
        (2, {"column_1": "Bob"}),
    ]
    reader, rows, _ = read(path, header=True, phone_column=2, delimiter="\t")
    assert [row[4] for row in rows] == [2]
    reader, rows, _ = read(write(tmp_path, "nom,mobile,fixe\nAnn,0612345678,0142685300\n"), phone_column="Fixe")
    assert (reader.phone_column, rows[0][2]) == (2, 33142685300)


def test_quoted_fields_with_embedded_newlines(tmp_path: Path):
    text = 'tel,adresse\n0612345678,"1 rue X\r\nBât. ""B"""\n0612345679,"a\nb\nc"\n0612345670,z\n'
    _, rows, _ = read(write(tmp_path, text))
    assert [(row[4], json.loads(row[5])["adresse"]) for row in rows] == [
        (2, '1 rue X\r\nBât. "B"'),
        (4, "a\nb\nc"),
        (7, "z"),
    ]


@pytest.mark.parametrize(
    ("data", "slug"),
    [
        (b"", "file-empty"),
        (b"\xef\xbb\xbf\n\r\n  \n", "file-empty"),
        (b"nom;telephone\r\n", "file-header-only"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "file-binary"),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml", "file-binary"),
        (bytes(range(256)) * 8, "file-binary"),
        (b"\xff\xfe\x00\x00t\x00\x00\x00", "file-undecodable"),
        ("tel\n0612345678\n".encode("utf-16-le"), "file-undecodable"),
        (b"nom,ville\nAnn,Paris\nBob,Lyon\n", "phone-column-not-found"),
    ],
)
def test_unreadable_files_are_refused(tmp_path: Path, data: bytes, slug: str):
    with pytest.raises(ContactsError) as err:
        ContactReader(write(tmp_path, data), region="FR", zones=ZONES, campaign=1, list=1)
    assert err.value.slug == slug
    assert isinstance(err.value, CCEngineError) and isinstance(err.value, ValueError)


def test_bad_options_and_missing_file(tmp_path: Path):
    path = write(tmp_path, "tel\n0612345678\n")
    cases = [
        ({"region": "Mars"}, "unknown-region"),
        ({"phone_column": 5}, "phone-column-not-found"),
        ({"phone_column": "fax"}, "phone-column-not-found"),
        ({"delimiter": "::"}, "invalid-option"),
        ({"existing": ["0612345678"]}, "invalid-number"),
    ]
    for options, slug in cases:
        with pytest.raises(ContactsError) as err:
            read(path, **options)
        assert err.value.slug == slug, options
    with pytest.raises(ContactsError) as err:
        read(str(tmp_path / "missing.csv"))
    assert err.value.slug == "io"
    with pytest.raises(ContactsError) as err:
        ZoneTable([("0x", "Europe/Paris")])
    assert err.value.slug == "invalid-zone-table"


def test_random_bytes_never_crash(tmp_path: Path):
    import random

    rng = random.Random(4)
    alphabet = b'0123456789+-.()",;\t\r\n \x00\xff\xe9abc'
    for i in range(200):
        data = bytes(rng.choice(alphabet) if i % 2 else rng.randrange(256) for _ in range(rng.randrange(400)))
        try:
            _, rows, _ = read(write(tmp_path, data))
        except ContactsError:
            continue
        for row in rows:
            assert row[2].startswith("+")
            json.loads(row[5])
