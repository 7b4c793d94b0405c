/*
 * fuzz_import_pdf.c - `kyokun import FILE.pdf`: poppler's text through
 * kpdf_extract_mem() (src/pdf.c), checked against what pdf.h promises (UTF-8
 * without NUL or control characters but \n, \f and \t), then the importer on
 * that text and what the command does with the cases.
 */
#include "fuzz.h"
#include "import.h"
#include "pdf.h"

#include <string.h>

/* A one-page PDF with a line of text, to set poppler and GLib up once. */
static const char warmup[] =
	"%PDF-1.4\n"
	"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
	"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
	"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]/Contents 4 0 R"
	"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
	"4 0 obj<</Length 37>>stream\nBT /F1 12 Tf 20 100 Td (hello) Tj ET\nendstream endobj\n"
	"5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
	"trailer<</Root 1 0 R>>\n%%EOF\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct kbuf text = KBUF_INIT;
	struct kerr err = KERR_INIT;

	kpdf_extract_mem(warmup, sizeof(warmup) - 1, &text, NULL, &err);
	kbuf_release(&text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kbuf text = KBUF_INIT;
	struct kerr err = KERR_INIT;
	struct kimport_result res;
	int rc, npages = 0;

	kbuf_setcap(&text, KIMPORT_MAX_TEXT);
	rc = kpdf_extract_mem(data, size, &text, &npages, &err);
	FUZZ_CHECK(rc <= 0, "kpdf_extract_mem returned %d", rc);
	if (rc < 0) {
		FUZZ_CHECK(err.msg[0], "error %d without a message", rc);
		FUZZ_CHECK(text.len == 0, "text left after an error");
		kbuf_release(&text);
		return 0;
	}
	FUZZ_CHECK(npages > 0, "a PDF of %d pages", npages);
	FUZZ_CHECK(kutf8_valid(text.buf, text.len), "the text is not valid UTF-8");
	for (size_t i = 0; i < text.len; i++) {
		unsigned char c = (unsigned char)text.buf[i];

		FUZZ_CHECK((c >= 0x20 && c != 0x7f) || c == '\n' || c == '\f' || c == '\t',
			   "control byte 0x%02x at %zu of the text", c, i);
	}
	rc = kimport_text(text.buf, text.len, "fuzz.pdf", &res, &err);
	FUZZ_CHECK(rc <= 0, "kimport_text returned %d", rc);
	for (size_t i = 0; rc == 0 && i < res.cases.n; i++)
		fuzz_check_imported(&res.cases.v[i]);
	kimport_result_free(&res);
	kbuf_release(&text);
	return 0;
}
