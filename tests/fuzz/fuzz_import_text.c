/*
 * fuzz_import_text.c - `kyokun import FILE.txt`: the importer on any text
 * (kimport_text), then what the command does with the cases it found.
 */
#include "fuzz.h"
#include "import.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kimport_result res;
	struct kerr err = KERR_INIT;
	int rc;

	rc = kimport_text((const char *)data, size, "fuzz.txt", &res, &err);
	FUZZ_CHECK(rc <= 0, "kimport_text returned %d", rc);
	FUZZ_CHECK(rc == 0 || err.msg[0], "error %d without a message", rc);
	FUZZ_CHECK(rc < 0 || res.cases.n > 0, "success without a case");
	for (size_t i = 0; rc == 0 && i < res.cases.n; i++)
		fuzz_check_imported(&res.cases.v[i]);
	kimport_result_free(&res);
	return 0;
}
