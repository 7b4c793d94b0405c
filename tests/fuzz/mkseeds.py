#!/usr/bin/env python3
"""tests/fuzz/mkseeds.py - write the small PDF seeds of the import_pdf fuzz
target (tests/fuzz/corpus/import_pdf/) from our own sample reports.

The PDFs are written by hand, a few KB each (a fuzzer mutates small inputs
much faster than the fonts cairo embeds): Japanese text in a Type0 font
with Identity-H codes and a ToUnicode map (no font file: text extraction
needs none), pages ended like a report's, one file with its content
compressed (FlateDecode), one in plain Helvetica.

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


def japanese(pages, compress=False):
    """pages: lists of lines; each line drawn at its own height, 10 pt."""
    chars = {ord(ch) for page in pages for line in page for ch in line if ord(ch) < 0x10000}
    n = len(pages)
    # 1 catalog, 2 pages, 3 font, 4 descendant, 5 tounicode, then page/content pairs
    kids = b' '.join(b'%d 0 R' % (6 + 2 * i) for i in range(n))
    objs = [b'<</Type/Catalog/Pages 2 0 R>>',
            b'<</Type/Pages/Kids[%s]/Count %d>>' % (kids, n),
            b'<</Type/Font/Subtype/Type0/BaseFont/KozMinPr6N-Regular/Encoding/Identity-H'
            b'/DescendantFonts[4 0 R]/ToUnicode 5 0 R>>',
            b'<</Type/Font/Subtype/CIDFontType0/BaseFont/KozMinPr6N-Regular'
            b'/CIDSystemInfo<</Registry(Adobe)/Ordering(Identity)/Supplement 0>>'
            b'/FontDescriptor<</Type/FontDescriptor/FontName/KozMinPr6N-Regular/Flags 4'
            b'/FontBBox[0 -120 1000 880]/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 700'
            b'/StemV 80>>/DW 1000>>',
            stream(tounicode(chars))]
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
        'ascii.pdf': helvetica(['Case 1 Misconfigured router 1/2', '[1 Background]',
                                '- The router was managed by a contractor.', '12']),
    }
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
        print('%s: %d bytes' % (name, len(data)))


if __name__ == '__main__':
    main()
