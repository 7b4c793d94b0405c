/*
 * pubreport_json.c - a published report as JSON and back (see pubreport.h):
 * what the database keeps (report.json) so that the site shows a report as
 * it was published, whatever happens to its cases later.
 *
 *   {"format": "kyokun-pubreport/1", "name": ..., "title": ..., "period": ...,
 *    "publisher": ..., "date": ..., "tlp": ..., "intro": ...,
 *    "cases": [case, ...],            (the interchange format, case_json.c)
 *    "themes": [{"key", "name", "name_en", "lessons": [{"case", "text", "shared"}]}]}
 */
#include "pubreport.h"
#include "case_json.h"
#include "kbuf.h"
#include "kerr.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT "kyokun-pubreport/1"

static int dump_cb(const char *buffer, size_t size, void *data)
{
	return kbuf_add(data, buffer, size) < 0 ? -1 : 0;
}

int kpubreport_to_json(const struct kpubreport *r, struct kbuf *out)
{
	json_t *o = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?, s:s?}", "format", FORMAT, "name", r->name,
			      "title", r->title, "period", r->period, "publisher", r->publisher, "date", r->date, "tlp",
			      r->tlp, "intro", r->intro);
	json_t *cases = json_array(), *themes = json_array();
	int rc = KE_NOMEM;

	if (!o || !cases || !themes)
		goto out;
	for (size_t i = 0; i < r->cases.n; i++)
		if (json_array_append_new(cases, kcase_to_json(&r->cases.v[i])))
			goto out;
	for (size_t i = 0; i < r->themes.n; i++) {
		const struct ktheme *t = &r->themes.v[i];
		json_t *ls = json_array(), *th;

		if (!ls)
			goto out;
		for (size_t j = 0; j < t->n; j++)
			if (json_array_append_new(ls, json_pack("{s:I, s:s?, s:b}", "case", (json_int_t)t->lessons[j].case_index,
								"text", t->lessons[j].text, "shared", t->lessons[j].shared))) {
				json_decref(ls);
				goto out;
			}
		th = json_pack("{s:s?, s:s?, s:s?, s:o}", "key", t->key, "name", t->name, "name_en", t->name_en, "lessons", ls);
		if (json_array_append_new(themes, th))
			goto out;
	}
	if (json_object_set(o, "cases", cases) || json_object_set(o, "themes", themes))
		goto out;
	rc = json_dump_callback(o, dump_cb, out, JSON_COMPACT | JSON_PRESERVE_ORDER) ? KE_NOMEM : 0;
out:
	json_decref(o);
	json_decref(cases);
	json_decref(themes);
	return rc;
}

static int str_member(json_t *o, const char *key, char **dst)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return KE_PARSE;
	return kstr_set(dst, json_string_value(v));
}

int kpubreport_from_json(struct kpubreport *r, const char *s, size_t len, struct kerr *err)
{
	json_error_t je;
	json_t *o = json_loadb(s, len, 0, &je), *cases, *themes, *v;
	size_t i;
	int rc = 0;

	if (!o)
		return kerr_set(err, KE_PARSE, "report.json: %s", je.text);
	v = json_object_get(o, "format");
	if (!json_is_string(v) || strcmp(json_string_value(v), FORMAT)) {
		rc = kerr_set(err, KE_PARSE, "report.json: format: expected \"" FORMAT "\"");
		goto out;
	}
	if (str_member(o, "name", &r->name) || str_member(o, "title", &r->title) ||
	    str_member(o, "period", &r->period) || str_member(o, "publisher", &r->publisher) ||
	    str_member(o, "date", &r->date) || str_member(o, "tlp", &r->tlp) || str_member(o, "intro", &r->intro)) {
		rc = kerr_set(err, KE_PARSE, "report.json: a member is not a string");
		goto out;
	}
	cases = json_object_get(o, "cases");
	json_array_foreach(cases, i, v) {
		struct kcase *c = kcase_list_add(&r->cases);

		if (!c) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		if ((rc = kcase_from_json(c, v, err)) < 0)
			goto out;
	}
	themes = json_object_get(o, "themes");
	json_array_foreach(themes, i, v) {
		struct ktheme *t;
		json_t *ls, *l;
		size_t j;

		if (r->themes.n == r->themes.alloc) {
			size_t na = r->themes.alloc ? r->themes.alloc * 2 : 8;
			struct ktheme *nv = realloc(r->themes.v, na * sizeof(*nv));

			if (!nv) {
				rc = kerr_set(err, KE_NOMEM, "out of memory");
				goto out;
			}
			r->themes.v = nv;
			r->themes.alloc = na;
		}
		t = &r->themes.v[r->themes.n++];
		memset(t, 0, sizeof(*t));
		if (str_member(v, "key", &t->key) || str_member(v, "name", &t->name) || str_member(v, "name_en", &t->name_en)) {
			rc = kerr_set(err, KE_PARSE, "report.json: themes: a member is not a string");
			goto out;
		}
		ls = json_object_get(v, "lessons");
		if (json_array_size(ls) && !(t->lessons = calloc(json_array_size(ls), sizeof(*t->lessons)))) {
			rc = kerr_set(err, KE_NOMEM, "out of memory");
			goto out;
		}
		t->alloc = json_array_size(ls);
		json_array_foreach(ls, j, l) {
			struct ktheme_lesson *x = &t->lessons[t->n];
			json_t *ci = json_object_get(l, "case");

			x->case_index = json_is_integer(ci) && json_integer_value(ci) >= 0 ? (size_t)json_integer_value(ci)
										 : (size_t)-1;
			x->shared = json_is_true(json_object_get(l, "shared"));
			t->n++;
			if (str_member(l, "text", &x->text)) {
				rc = kerr_set(err, KE_PARSE, "report.json: themes: a lesson's text is not a string");
				goto out;
			}
		}
	}
	if (!r->name || !r->title || !r->date)
		rc = kerr_set(err, KE_PARSE, "report.json: name, title and date are needed");
out:
	json_decref(o);
	if (rc < 0)
		kpubreport_free(r);
	return rc;
}
