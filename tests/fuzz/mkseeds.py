#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py - write the small PDF seeds of the import_pdf fuzz
target (tests/fuzz/corpus/import_pdf/) from our own sample reports.

The PDFs are written by hand, a few KB each (a fuzzer mutates small inputs
much faster than the fonts cairo embeds): Japanese text in a Type0 font
with Identity-H codes and a ToUnicode map (no font file: text extraction
needs none), pages ended like a report's, one file with its content
compressed (FlateDecode), one in plain Helvetica, one with its text placed
as a laid-out report prints it (tables, two columns, a running header).

    python3 tests/fuzz/mkseeds.py     (from the top of the source tree)
"""
import os
import zlib

TOP = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))
OUT = os.path.join(TOP, 'tests', 'fuzz', 'corpus', 'import_pdf')


def pdf(objects):
    """A PDF file from object bodies (bytes), numbered from 1; object 1 is the catalog."""
    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    for off in offsets:
        out += b'%010d 00000 n \n' % off
    out += b'trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n' % (len(objects) + 1, xref)
    return bytes(out)


def stream(data, compress=False):
    if compress:
        data = zlib.compress(data)
        return b'<</Length %d/Filter/FlateDecode>>\nstream\n' % len(data) + data + b'\nendstream'
    return b'<</Length %d>>\nstream\n' % len(data) + data + b'\nendstream'


def tounicode(chars):
    """A ToUnicode CMap: code = the character's UTF-16 code (BMP only)."""
    lines = [b'/CIDInit/ProcSet findresource begin 12 dict begin begincmap',
             b'/CIDSystemInfo<</Registry(Adobe)/Ordering(UCS)/Supplement 0>>def',
             b'/CMapName/Adobe-Identity-UCS def/CMapType 2 def',
             b'1 begincodespacerange <0000><FFFF> endcodespacerange']
    cps = sorted(chars)
    for i in range(0, len(cps), 100):
        part = cps[i:i + 100]
        lines.append(b'%d beginbfchar' % len(part))
        for c in part:
            lines.append(b'<%04X><%04X>' % (c, c))
        lines.append(b'endbfchar')
    lines.append(b'endcmap CMapName currentdict/CMap defineresource pop end end')
    return b'\n'.join(lines)


def head_objs(n, chars):
    """The first objects of an n-page PDF in a Japanese CID font covering chars:
    1 catalog, 2 pages, 3 font, 4 descendant, 5 tounicode (then page/content pairs)."""
    kids = b' '.join(b'%d 0 R' % (6 + 2 * i) for i in range(n))
    return [b'<</Type/Catalog/Pages 2 0 R>>',
            b'<</Type/Pages/Kids[%s]/Count %d>>' % (kids, n),
            b'<</Type/Font/Subtype/Type0/BaseFont/KozMinPr6N-Regular/Encoding/Identity-H'
            b'/DescendantFonts[4 0 R]/ToUnicode 5 0 R>>',
            b'<</Type/Font/Subtype/CIDFontType0/BaseFont/KozMinPr6N-Regular'
            b'/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>'
            b'/FontDescriptor<</Type/FontDescriptor/FontName/KozMinPr6N-Regular/Flags 4'
            b'/FontBBox[0 -120 1000 880]/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 700'
            b'/StemV 80>>/DW 1000>>',
            stream(tounicode(chars))]


def japanese(pages, compress=False):
    """pages: lists of lines; each line drawn at its own height, 10 pt."""
    chars = {ord(ch) for page in pages for line in page for ch in line if ord(ch) < 0x10000}
    n = len(pages)
    objs = head_objs(n, chars)
    for i, page in enumerate(pages):
        ops = [b'BT /F1 10 Tf']
        y = 800
        for line in page:
            code = b''.join(b'%04X' % ord(ch) for ch in line if ord(ch) < 0x10000)
            ops.append(b'1 0 0 1 56 %d Tm <%s> Tj' % (y, code))
            y -= 14
        ops.append(b'ET')
        objs.append(b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R'
                    b'/Resources<</Font<</F1 3 0 R>>>>>>' % (7 + 2 * i))
        objs.append(stream(b'\n'.join(ops), compress))
    return pdf(objs)


def placed(pages, compress=False):
    """pages: lists of (x, y, size, text): Japanese text where it is printed."""
    chars = {ord(ch) for page in pages for (_, _, _, t) in page for ch in t if ord(ch) < 0x10000}
    n = len(pages)
    objs = head_objs(n, chars)
    for i, page in enumerate(pages):
        ops = [b'BT']
        for (x, y, size, t) in page:
            code = b''.join(b'%04X' % ord(ch) for ch in t if ord(ch) < 0x10000)
            ops.append(b'/F1 %d Tf 1 0 0 1 %d %d Tm <%s> Tj' % (size, x, y, code))
        ops.append(b'ET')
        objs.append(b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents %d 0 R'
                    b'/Resources<</Font<</F1 3 0 R>>>>>>' % (7 + 2 * i))
        objs.append(stream(b'\n'.join(ops), compress))
    return pdf(objs)


def layout_pages():
    """Our own three pages: a running header and page numbers, a table of four
    columns, two columns of text, a timeline with role columns, a figure's labels."""
    head = (56, 815, 8, 'サンプル事例調査')
    p1 = [head, (56, 760, 14, '対象事例一覧'),
          (60, 730, 9, 'No'), (88, 730, 9, '事例'), (200, 730, 9, '事例の概要'), (372, 730, 9, '主な気付き・教訓'),
          (60, 705, 9, '1'), (88, 705, 9, 'ポンプの停止'), (200, 705, 9, '・制御盤の電源が落ちた。'),
          (372, 705, 9, '・予備電源を点検する'), (200, 692, 9, '・手動で運転した。'),
          (290, 40, 9, '- 1 -')]
    p2 = [head, (56, 760, 14, '事例1 ポンプの停止'),
          (56, 730, 10, '【1 背景】'), (300, 730, 10, '【4 原因】'),
          (56, 715, 10, '・制御盤は古かった。'), (300, 715, 10, '・電源部品が劣化していた。'),
          (56, 700, 10, '【2 検知】'), (300, 700, 10, '【6 得られた気付き・教訓】'),
          (56, 685, 10, '・警報で気付いた。'), (300, 685, 10, '・点検の周期を見直す。'),
          (150, 600, 10, '本番系'), (350, 600, 10, '予備系'), (240, 570, 9, '（対処1）'),
          (290, 40, 9, '- 2 -')]
    p3 = [head, (56, 760, 10, '日時'), (136, 760, 10, '①経営'), (276, 760, 10, '②情報システム'),
          (56, 735, 10, '1日目'), (276, 735, 10, '・警報が鳴る'), (136, 715, 10, '・報告を受ける'),
          (56, 715, 10, '2日目'), (290, 40, 9, '- 3 -')]
    return [p1, p2, p3]


def helvetica(lines):
    ops = [b'BT /F1 11 Tf']
    y = 800
    for line in lines:
        esc = line.encode('latin-1').replace(b'\\', b'\\\\').replace(b'(', b'\\(').replace(b')', b'\\)')
        ops.append(b'1 0 0 1 56 %d Tm (%s) Tj' % (y, esc))
        y -= 14
    ops.append(b'ET')
    return pdf([b'<</Type/Catalog/Pages 2 0 R>>',
                b'<</Type/Pages/Kids[3 0 R]/Count 1>>',
                b'<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R'
                b'/Resources<</Font<</F1 5 0 R>>>>>>',
                stream(b'\n'.join(ops)),
                b'<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>'])


def report_pages(name, page_lines=24):
    """The sample report's lines, cut into pages at its case headers (or every page_lines)."""
    with open(os.path.join(TOP, 'tests', 'fixtures', 'import', name), encoding='utf-8') as f:
        lines = [l.rstrip('\n') for l in f]
    pages, cur = [], []
    for line in lines:
        if line.startswith('事例') and cur and len(cur) > 3 or len(cur) >= page_lines:
            pages.append(cur)
            cur = []
        if line.strip():
            cur.append(line)
    if cur:
        pages.append(cur)
    return pages


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {
        'numbered.pdf': japanese(report_pages('numbered.txt')),
        'collection_flate.pdf': japanese(report_pages('collection_before.txt'), compress=True),
        'heading_after.pdf': japanese(report_pages('heading_after.txt')),
        'layout.pdf': placed(layout_pages()),
        'ascii.pdf': helvetica(['Case 1 Misconfigured router 1/2', '[1 Background]',
                                '- The router was managed by a contractor.', '12']),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        print('%s: %d bytes' % (name, len(data)))


if __name__ == '__main__':
    main()
