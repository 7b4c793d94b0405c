/*
 * search_output.c - a search or similar result as JSON or as text for a
 * person (the ksearch_result_* calls of search.h).
 */
#include "search.h"
#include "kerr.h"
#include "search_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Byte offset -> character offset in s. */
static json_int_t char_off(const char *s, int off)
{
	return (json_int_t)nchars(s, 0, (size_t)off);
}

/* A hit's citation (what the case or its document is cited by), or NULL when it has none. */
static json_t *hit_citation(const struct ksearch_hit *h)
{
	json_t *c;
	int bad = 0;

	if (!h->doc_title && !h->publisher && !h->published && !h->url && h->page <= 0)
		return NULL;
	if (!(c = json_object()))
		return NULL;
	if (h->doc_title)
		bad |= json_object_set_new(c, "title", json_string(h->doc_title));
	if (h->publisher)
		bad |= json_object_set_new(c, "publisher", json_string(h->publisher));
	if (h->published)
		bad |= json_object_set_new(c, "published", json_string(h->published));
	if (h->url)
		bad |= json_object_set_new(c, "url", json_string(h->url));
	if (h->page > 0)
		bad |= json_object_set_new(c, "page", json_integer(h->page));
	if (bad) {
		json_decref(c);
		return NULL;
	}
	return c;
}

json_t *ksearch_result_json(const struct ksearch_result *res)
{
	json_t *o = json_object(), *arr = json_array(), *facets = NULL;
	int bad = !o || !arr;

	if (bad)
		goto fail;
	bad |= json_object_set_new(o, "query", json_string(res->query ? res->query : ""));
	bad |= json_object_set_new(o, "total", res->total >= 0 ? json_integer(res->total) : json_null());
	/* partial_total: the cases with only some of the words, which follow the total's in the
	 * results' order (offset runs through both); total_partial: its older name, when not 0 */
	if (res->total >= 0)
		bad |= json_object_set_new(o, "partial_total", json_integer(res->total_partial));
	if (res->total_partial > 0)
		bad |= json_object_set_new(o, "total_partial", json_integer(res->total_partial));
	if (res->restricted && ksearch_field_key(res->section))
		bad |= json_object_set_new(o, "section", json_string(ksearch_field_key(res->section)));
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];
		json_t *r = json_pack("{s:s, s:s, s:{s:s?, s:o, s:o}, s:s?, s:s?, s:f}",
				      "id", h->id, "title", h->title ? h->title : "",
				      "source", "document", h->document,
				      "year", h->has_year ? json_integer(h->year) : json_null(),
				      "case_number", h->has_case_number ? json_integer(h->case_number) : json_null(),
				      "category", h->category, "tlp", h->tlp,
				      "score", round(h->score * 1e4) / 1e4);

		if (!r)
			goto fail;
		if (h->partial)
			bad |= json_object_set_new(r, "partial", json_true());
		if (h->doc_title || h->publisher || h->published || h->url || h->page > 0) {
			json_t *cite = hit_citation(h);

			bad |= cite ? json_object_set_new(r, "citation", cite) : -1;
		}
		if (h->snippet) {
			json_t *hl = json_array();

			for (size_t k = 0; hl && k < h->nspans; k++)
				bad |= json_array_append_new(hl, json_pack("[I,I]",
						char_off(h->snippet, h->spans[k].start),
						char_off(h->snippet, h->spans[k].end)));
			bad |= json_object_set_new(r, "snippet", json_string(h->snippet));
			bad |= json_object_set_new(r, "snippet_field", json_string(h->snippet_field));
			bad |= json_object_set_new(r, "snippet_offset", json_integer(h->snippet_offset));
			bad |= hl ? json_object_set_new(r, "highlights", hl) : -1;
			if (h->snippet_where >= 0)
				bad |= json_object_set_new(r, "snippet_section",
							   json_string(ksearch_field_key(h->snippet_where)));
			bad |= json_object_set_new(r, "snippet_cut", json_pack("[b,b]", h->cut_before, h->cut_after));
		}
		if (h->where) {
			json_t *sa = json_array();

			for (int f = 0; sa && f < KSF__N; f++)
				if (h->where & 1u << f)
					bad |= json_array_append_new(sa, json_string(ksearch_field_key(f)));
			bad |= sa ? json_object_set_new(r, "sections", sa) : -1;
		}
		if (h->shared) {
			json_t *sa = json_array();

			for (size_t k = 0; sa && k < h->nshared; k++)
				bad |= json_array_append_new(sa, json_string(h->shared[k]));
			bad |= sa ? json_object_set_new(r, "shared_terms", sa) : -1;
		}
		bad |= json_array_append_new(arr, r);
	}
	bad |= json_object_set_new(o, "results", arr);
	arr = NULL;
	if (res->terms) {
		json_t *ta = json_array();

		for (size_t k = 0; ta && k < res->nterms; k++)
			bad |= json_array_append_new(ta, json_string(res->terms[k]));
		bad |= ta ? json_object_set_new(o, "terms", ta) : -1;
	}
	if (res->has_facets) {
		facets = json_object();
		if (!facets)
			goto fail;
		for (int f = 0; f < KFACET__N; f++) {
			json_t *fo = json_object();

			for (size_t k = 0; fo && k < res->facets[f].n; k++)
				bad |= json_object_set_new(fo, res->facets[f].v[k].value,
							   json_integer(res->facets[f].v[k].count));
			bad |= fo ? json_object_set_new(facets, kfacet_name(f), fo) : -1;
		}
		bad |= json_object_set_new(o, "facets", facets);
	}
	if (bad)
		goto fail;
	return o;
fail:
	json_decref(arr);
	json_decref(o);
	return NULL;
}

/* ---- text ---------------------------------------------------------------------------------------- */

static void put_flat(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fputc(s[i] == '\n' || s[i] == '\r' || s[i] == '\t' ? ' ' : s[i], fp);
}

void ksearch_result_text(const struct ksearch_result *res, FILE *fp, int color, int similar)
{
	const char *hl_on = color ? "\033[1m" : "【", *hl_off = color ? "\033[0m" : "】";
	long first = res->nhits ? 1 : 0;

	if (similar) {
		fprintf(fp, "Cases like %s", res->query ? res->query : "");
		if (res->nterms) {
			fputs("\nby the terms:", fp);
			for (size_t i = 0; i < res->nterms; i++)
				fprintf(fp, " %s", res->terms[i]);
		}
		fputc('\n', fp);
	} else if (res->total >= 0) {
		fprintf(fp, "%ld case%s match %s", res->total, res->total == 1 ? "" : "s",
			res->query ? res->query : "");
		if (res->nhits && (long)res->nhits < res->total)
			fprintf(fp, " (showing %ld-%ld)", first, first + (long)res->nhits - 1);
		fputc('\n', fp);
	}
	for (size_t i = 0; i < res->nhits; i++) {
		const struct ksearch_hit *h = &res->hits[i];

		fprintf(fp, "\n%2zu. %s%s%s  %s\n", i + 1, color ? "\033[1m" : "", h->title ? h->title : "",
			color ? "\033[0m" : "", h->id);
		fputs("    ", fp);
		if (h->document)
			fputs(h->document, fp);
		if (h->has_case_number)
			fprintf(fp, " #%d", h->case_number);
		if (h->has_year)
			fprintf(fp, " (%d)", h->year);
		if (h->category)
			fprintf(fp, "  %s", h->category);
		fprintf(fp, "  score %.2f\n", h->score);
		if (h->snippet && *h->snippet) {
			size_t off = 0, n = strlen(h->snippet);

			if (h->where) {
				fputs("    in:", fp);
				for (int f = 0, k = 0; f < KSF__N; f++)
					if (h->where & 1u << f)
						fprintf(fp, "%s %s (%s)", k++ ? "," : "", ksearch_field_ja(f),
							ksearch_field_key(f));
				fputc('\n', fp);
			}
			fprintf(fp, "    %s", h->cut_before ? "…" : "");
			for (size_t k = 0; k < h->nspans; k++) {
				put_flat(fp, h->snippet + off, (size_t)h->spans[k].start - off);
				fputs(hl_on, fp);
				put_flat(fp, h->snippet + h->spans[k].start,
					 (size_t)(h->spans[k].end - h->spans[k].start));
				fputs(hl_off, fp);
				off = (size_t)h->spans[k].end;
			}
			put_flat(fp, h->snippet + off, n - off);
			fputs(h->cut_after ? "…\n" : "\n", fp);
		}
		if (h->nshared) {
			fputs("    shared:", fp);
			for (size_t k = 0; k < h->nshared; k++)
				fprintf(fp, " %s", h->shared[k]);
			fputc('\n', fp);
		}
	}
	if (!res->nhits)
		fputs("\n(no cases)\n", fp);
	if (res->has_facets && res->total > 0) {
		fputs("\n", fp);
		for (int f = 0; f < KFACET__N; f++) {
			if (!res->facets[f].n)
				continue;
			fprintf(fp, "%s:", kfacet_name(f));
			for (size_t k = 0; k < res->facets[f].n && k < 12; k++)
				fprintf(fp, "%s %s (%ld)", k ? "," : "", res->facets[f].v[k].value,
					res->facets[f].v[k].count);
			if (res->facets[f].n > 12)
				fprintf(fp, ", ... (%zu values)", res->facets[f].n);
			fputc('\n', fp);
		}
	}
}

int ksearch_result_print(const struct ksearch_result *res, FILE *fp, int json, int color, int similar)
{
	json_t *j;
	char *s;

	if (!json) {
		ksearch_result_text(res, fp, color, similar);
		return 0;
	}
	j = ksearch_result_json(res);
	s = j ? json_dumps(j, JSON_INDENT(2) | JSON_REAL_PRECISION(6)) : NULL;
	json_decref(j);
	if (!s)
		return KE_NOMEM;
	fputs(s, fp);
	fputc('\n', fp);
	free(s);
	return 0;
}
