"""A corpus of hostile returns, made from a real export (issue 14).

Each maker takes a good return (exported by zsdesk) and a folder and writes one hostile
file, streaming: the big ones (a 251 MiB shared-strings table in a ~50 MB file, a
100,000-row return) are written block by block, never held whole, and made once per
test session. Each returns (path, words the refusal must contain).
"""

from __future__ import annotations

import hashlib
import os
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

PROJECT_XML = "xl/worksheets/sheet1.xml"
STRINGS_XML = "xl/sharedStrings.xml"
_BLOCK = 4 * 2**20


def hidden_sheet_xml(path: Path) -> str:
    """The part that holds the hidden sheet "_zsdesk"."""
    with zipfile.ZipFile(path) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
        rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(r'<sheet[^>]*name="_zsdesk"[^>]*r:id="(rId\d+)"', workbook) or re.search(
        r'<sheet[^>]*r:id="(rId\d+)"[^>]*name="_zsdesk"', workbook
    )
    target = re.search(rf'<Relationship[^>]*Id="{rid.group(1)}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'<Relationship[^>]*Target="([^"]+)"[^>]*Id="{rid.group(1)}"', rels
    )
    name = target.group(1).lstrip("/")
    return name if name.startswith("xl/") else "xl/" + name


def rewrite(source: Path, target: Path, replace: dict[str, Callable[[bytes], Iterable[bytes]]],
            extra: dict[str, Callable[[], Iterable[bytes]]] | None = None, level: int = 1) -> Path:
    """Copy a zip; members in ``replace`` are written from ``transform(old_bytes)`` chunk
    by chunk (streamed into the archive), ``extra`` members are added."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename in replace:
                with new.open(zipfile.ZipInfo(info.filename), "w", force_zip64=True) as member:
                    for chunk in replace[info.filename](data):
                        member.write(chunk)
            else:
                new.writestr(info, data)
        for name, chunks in (extra or {}).items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            with new.open(info, "w", force_zip64=True) as member:
                for chunk in chunks():
                    member.write(chunk)
    return target


def _noise(size: int, letters: bytes = b"ACGT") -> Iterator[bytes]:
    """Random letters from a small alphabet: deflates 3-5:1, under any bomb ratio."""
    table = bytes(letters[i % len(letters)] for i in range(256))
    left = size
    while left > 0:
        n = min(_BLOCK, left)
        yield os.urandom(n).translate(table)
        left -= n


# --- XML attacks -------------------------------------------------------------------


def billion_laughs(good: Path, folder: Path):
    def sheet(data: bytes):
        entities = '<!ENTITY lol0 "lol">' + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
        )
        body = _without_declaration(data.decode())
        yield (f'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [{entities}]>'
               + re.sub(r"(<is><t[^>]*>)", r"\1&lol9;", body, count=1)).encode()

    return rewrite(good, folder / "billion-laughs.xlsx", {PROJECT_XML: sheet}), ["XML实体", "拒绝读取"]


def _without_declaration(text: str) -> str:
    return text.split("?>", 1)[1] if text.startswith("<?xml") else text


def external_entity(good: Path, folder: Path):
    def workbook(data: bytes):
        body = _without_declaration(data.decode())
        yield ('<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
               + body.replace("<sheets>", "<sheets>&xxe;", 1)).encode()

    return rewrite(good, folder / "external-entity.xlsx", {"xl/workbook.xml": workbook}), ["XML实体", "拒绝读取"]


# --- zip bombs ----------------------------------------------------------------------


def bomb_ratio(good: Path, folder: Path):
    """One part of 40 MiB of the same byte (under the part cap): inflates ~1000:1."""
    def zeros():
        for _ in range(10):
            yield b"\0" * _BLOCK

    return rewrite(good, folder / "bomb-ratio.xlsx", {}, {"xl/media/image1.png": zeros}), ["压缩炸弹"]


def bomb_lying_sizes(good: Path, folder: Path):
    """A part whose directory entries say it is 100 bytes; it inflates to 40 MiB."""
    path = rewrite(good, folder / "bomb-lying.xlsx", {}, {"xl/media/image1.png": lambda: _noise(40 * 2**20)})
    data = bytearray(path.read_bytes())
    name = b"xl/media/image1.png"
    # local header: sizes at +18 (compressed) and +22 (uncompressed); central: +20, +24
    for match in re.finditer(re.escape(b"PK\x03\x04"), data):
        start = match.start()
        length = struct.unpack_from("<H", data, start + 26)[0]
        if bytes(data[start + 30:start + 30 + length]) == name:
            _lie_in_zip64(data, start + 30 + length, struct.unpack_from("<H", data, start + 28)[0], local=True)
            struct.pack_into("<I", data, start + 22, 100) if struct.unpack_from("<I", data, start + 22)[0] != 0xFFFFFFFF else None
    for match in re.finditer(re.escape(b"PK\x01\x02"), data):
        start = match.start()
        length = struct.unpack_from("<H", data, start + 28)[0]
        if bytes(data[start + 46:start + 46 + length]) == name:
            if struct.unpack_from("<I", data, start + 24)[0] == 0xFFFFFFFF:
                _lie_in_zip64(data, start + 46 + length, struct.unpack_from("<H", data, start + 30)[0], local=False)
            else:
                struct.pack_into("<I", data, start + 24, 100)
    path.write_bytes(bytes(data))
    # Inflating stops at the size the directory states; the part's checksum then fails.
    return path, ["已损坏或不完整"]


def _lie_in_zip64(data: bytearray, extra_at: int, extra_len: int, local: bool) -> None:
    end = extra_at + extra_len
    while extra_at + 4 <= end:
        tag, size = struct.unpack_from("<HH", data, extra_at)
        if tag == 0x0001 and size >= 8:
            struct.pack_into("<Q", data, extra_at + 4, 100)  # the uncompressed size comes first
        extra_at += 4 + size


def bomb_many_parts(good: Path, folder: Path):
    extra = {f"xl/media/image{i}.png": (lambda: [b"x"]) for i in range(2_100)}
    return rewrite(good, folder / "bomb-many.xlsx", {}, extra), ["压缩包内文件过多"]


def bomb_total(good: Path, folder: Path):
    """Three parts of 60 MiB each: every one under the part cap, together over the total."""
    extra = {f"xl/media/image{i}.png": (lambda: _noise(60 * 2**20)) for i in range(3)}
    return rewrite(good, folder / "bomb-total.xlsx", {}, extra), ["文件过大"]


# --- huge content -----------------------------------------------------------------


_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def with_shared_strings(good: Path, target: Path, chunks: Callable[[], Iterable[bytes]]) -> Path:
    """The return with a shared-strings part added (as Excel and LibreOffice write one)."""
    def types(data: bytes):
        yield data.replace(b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_SST_TYPE}"/></Types>'.encode())

    def rels(data: bytes):
        yield data.replace(b"</Relationships>",
                           f'<Relationship Id="rIdSST" Type="{_SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode())

    return rewrite(good, target, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels}, {STRINGS_XML: chunks})


_SST_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def huge_shared_strings(good: Path, folder: Path, mib: int = 251):
    """A sharedStrings.xml of ``mib`` MiB (the issue's: 251 MiB in a ~53 MB file)."""
    def strings():
        yield _SST_HEAD
        piece = 1000
        for block in _noise(mib * 2**20, b"ACG"):  # three letters: the issue's ~53 MB file
            yield b"".join(b"<si><t>" + block[i:i + piece] + b"</t></si>" for i in range(0, len(block), piece))
        yield b"</sst>"

    return with_shared_strings(good, folder / "huge-strings.xlsx", strings), ["共享字符串表", "拒绝读取"]


def many_shared_strings(good: Path, folder: Path):
    """500,000 tiny distinct texts (9 MiB): small in bytes, huge as Python objects."""
    def strings():
        yield _SST_HEAD
        for start in range(0, 500_000, 50_000):
            yield "".join(f"<si><t>{n}</t></si>" for n in range(start, start + 50_000)).encode()
        yield b"</sst>"

    return with_shared_strings(good, folder / "many-strings.xlsx", strings), ["文字条目超过", "拒绝读取"]


def _first_row(good: Path, sheet: str, test) -> int:
    import openpyxl

    workbook = openpyxl.load_workbook(good, read_only=True)
    try:
        for number, row in enumerate(workbook[sheet].iter_rows(values_only=True), start=1):
            if test(row):
                return number
    finally:
        workbook.close()
    raise AssertionError(f"no such row in {sheet}")


def rows_100k(good: Path, folder: Path, count: int = 100_000):
    """100,000 project rows on the printed form and in the hidden sheet (each row a copy
    of the first project's row)."""
    hidden = hidden_sheet_xml(good)
    form_row = _first_row(good, "项目进展", lambda r: len(r) > 1 and isinstance(r[1], str) and r[1].startswith("XM-"))
    hidden_row = _first_row(good, "_zsdesk", lambda r: bool(r) and r[0] == "projects")

    def multiply(first: int):
        def transform(data: bytes):
            text = data.decode()
            template = re.search(rf'<row r="{first}"[ >].*?</row>', text, flags=re.S).group(0)
            before, after = text.split(template, 1)
            yield before.encode()
            batch = []
            for n in range(count):
                number = first + n
                row = re.sub(r'(<c r="[A-Z]+)\d+"', rf'\g<1>{number}"', template)
                batch.append(row.replace(f'<row r="{first}"', f'<row r="{number}"', 1))
                if len(batch) == 5_000:
                    yield "".join(batch).encode()
                    batch = []
            yield "".join(batch).encode()
            shifted = re.sub(r'<row r="(\d+)"', lambda m: f'<row r="{int(m.group(1)) + count - 1}"', after)
            yield re.sub(r'(<c r="[A-Z]+)(\d+)"', lambda m: f'{m.group(1)}{int(m.group(2)) + count - 1}"', shifted).encode()

        return transform

    path = rewrite(good, folder / f"rows-{count // 1000}k.xlsx", {PROJECT_XML: multiply(form_row), hidden: multiply(hidden_row)})
    if count > 50_000:  # the sheets' parts alone are over the part cap
        return path, ["超出一份月报可能", "拒绝读取"]
    return path, ["工作表的行数超过", "拒绝读取"]


def long_text(good_ledger_export: Callable[[Path], Path], folder: Path):
    """A 33,000-character 进展情况 in both copies (a zsdesk without limits made it)."""
    return good_ledger_export(folder / "long-text.xlsx"), ["进展情况最多2,000个字，现有33,000个字"]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            digest.update(block)
    return digest.hexdigest()
