"""Build the PDF font: a TrueType subset of Noto Sans CJK SC Regular, renamed "Lianban Sans SC".

The receipts and notices the window prints must look the same on every server,
with or without a CJK font installed, so the platform ships its own font.
fpdf2 can embed the system's OpenType/CFF Noto, but it writes such a font with
a custom encoding CMap that some PDF readers (pypdf among them) decode wrongly;
a TrueType font is embedded as ``CIDFontType2`` with ``Identity-H``, the form
every reader handles. So the subset's cubic CFF outlines are converted to
quadratic ``glyf`` outlines (fontTools' cu2qu, error 1 unit of 1000).

Glyphs kept: every character of GB 18030's two-byte area (GBK: the 20,902
unified hanzi, punctuation, full-width forms) and CJK Extension A (6,582
hanzi that GB 18030-2005 requires), printable ASCII, a few symbols the
documents use (¥, №, ·, —, “ ”…), and every character of the demo catalog
files — so a name such as 堃, 喆 or 昇 prints. Layout features and hinting are
dropped (a printed receipt needs neither). A character outside the font is
never dropped silently: ``lianban.workbench.documents`` refuses to print it.

Run from the repository root on a machine with ``fonts-noto-cjk``::

    .venv/bin/python -m lianban.workbench.fonts.build_subset

The licence is the SIL Open Font License 1.1 (``OFL.txt`` next to the font);
the family is renamed because a subset is a Modified Version under the OFL.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset  # type: ignore[import-untyped]
from fontTools.pens.cu2quPen import Cu2QuPen  # type: ignore[import-untyped]
from fontTools.pens.ttGlyphPen import TTGlyphPen  # type: ignore[import-untyped]
from fontTools.ttLib import TTCollection, TTFont, newTable  # type: ignore[import-untyped]

HERE = Path(__file__).resolve().parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SC_INDEX = 2  # Noto Sans CJK SC in Debian's collection
TARGET = HERE / "LianbanSansSC-Regular.ttf"
CATALOG = HERE.parent.parent / "demo" / "catalog"
EXTRA = "¥№·—–…“”‘’•×÷±≤≥→←↑↓□■○●√※〇ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ①②③④⑤⑥⑦⑧⑨⑩"
FAMILY = "Lianban Sans SC"
POSTSCRIPT = "LianbanSansSC-Regular"


def gb2312_characters() -> set[str]:
    """Every character GB 2312 encodes (two-byte rows 0xA1–0xF7)."""
    found: set[str] = set()
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                found.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return found


def gb18030_two_byte_characters() -> set[str]:
    """Every character GB 18030 encodes in two bytes (the GBK area: lead 0x81–0xFE, trail 0x40–0xFE)."""
    found: set[str] = set()
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            if low == 0x7F:
                continue
            try:
                char = bytes((high, low)).decode("gb18030")
            except UnicodeDecodeError:
                continue
            if not 0xE000 <= ord(char) <= 0xF8FF:  # private use: no glyph to keep
                found.add(char)
    return found


def cjk_extension_a() -> set[str]:
    """CJK Unified Ideographs Extension A as GB 18030-2005 maps it (U+3400–U+4DB5, 6,582 hanzi)."""
    return {chr(code) for code in range(0x3400, 0x4DB6)}


def wanted_characters(catalog: Path = CATALOG) -> set[str]:
    """The characters the subset keeps."""
    chars = gb2312_characters() | gb18030_two_byte_characters() | cjk_extension_a()
    chars |= {chr(code) for code in range(0x20, 0x7F)} | set(EXTRA)
    for path in sorted(catalog.glob("*.yaml")):
        chars |= {ch for ch in path.read_text(encoding="utf-8") if ch.isprintable()}
    return chars


def build(source: Path = SOURCE, target: Path = TARGET) -> int:
    """Write the renamed subset; the number of characters it maps."""
    font = TTCollection(str(source)).fonts[SC_INDEX]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables += ["VORG", "vhea", "vmtx", "DSIG", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(ch) for ch in wanted_characters()))
    subsetter.subset(font)
    names = font["name"]
    version = names.getDebugName(5) or ""
    for record in list(names.names):
        if record.nameID in (1, 4, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            names.setName(f"{version};{POSTSCRIPT}", 3, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName(POSTSCRIPT, 6, record.platformID, record.platEncID, record.langID)
    names.setName(f"{FAMILY}: a subset of Noto Sans CJK SC Regular for lianban's PDF documents.", 10, 3, 1, 0x409)
    to_truetype(font)
    font.save(str(target))
    return len(font.getBestCmap())


def to_truetype(font: TTFont) -> None:
    """Replace the CFF outlines by quadratic TrueType ones (after fontTools' ``otf2ttf`` snippet)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    outlines = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        outlines[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = outlines
    del font["CFF "]
    glyf.compile(font)
    metrics = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            metrics[name] = (metrics[name][0], glyph.xMin)
    font["maxp"] = maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.compile(font)
    post = font["post"]
    post.formatType = 3.0  # no glyph names: readers map through cmap and ToUnicode
    post.extraNames = []
    post.mapping = {}
    font.sfntVersion = "\x00\x01\x00\x00"


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--target", type=Path, default=TARGET)
    args = parser.parse_args()
    count = build(args.source, args.target)
    print(f"{args.target}: {count} characters, {args.target.stat().st_size} bytes")  # noqa: T201


if __name__ == "__main__":
    main()
