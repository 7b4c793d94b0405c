/*
 * theme_edit.c - analysts' edits of the 総括's themes (rename, merge, move
 * a lesson to another or a new theme), applied in order on every
 * computation; one that no longer applies is skipped with a note.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "grow.h"
#include "kerr.h"
#include "theme.h"
#include "theme_impl.h"

#define EDITS_MAX_TEXT (4 << 20)

static int bad(struct kerr *err, size_t i, const char *what)
{
	return kerr_set(err, KE_PARSE, "edits[%zu]: %s", i, what);
}

int ktheme_edits_parse(const char *edits, void **parsed, struct kerr *err)
{
	json_error_t je;
	json_t *root, *arr;
	size_t i;

	*parsed = NULL;
	if (!edits || !*edits)
		return 0;
	if (strlen(edits) > EDITS_MAX_TEXT)
		return kerr_set(err, KE_TOOBIG, "edits: more than %d bytes", EDITS_MAX_TEXT);
	if (!(root = json_loads(edits, JSON_REJECT_DUPLICATES, &je)))
		return kerr_set(err, KE_PARSE, "edits: not JSON: %s (line %d, column %d)", je.text, je.line,
				je.column);
	arr = json_is_array(root) ? root : json_object_get(root, "edits");
	if (!json_is_array(arr)) {
		json_decref(root);
		return kerr_set(err, KE_PARSE, "edits: expected {\"edits\": [...]} or an array");
	}
	json_t *e;
	json_array_foreach(arr, i, e) {
		const char *op;
		int rc = 0;
		if (!json_is_object(e))
			rc = bad(err, i, "not an object");
		else if (!(op = json_string_value(json_object_get(e, "op"))))
			rc = bad(err, i, "op: expected rename, merge or move");
		else if (!strcmp(op, "rename")) {
			const char *nm = json_string_value(json_object_get(e, "name"));
			if (!json_is_string(json_object_get(e, "theme")))
				rc = bad(err, i, "theme: expected a theme's key");
			else if (!nm || !*nm || strlen(nm) > 200)
				rc = bad(err, i, "name: expected a name of 1 to 200 bytes");
		} else if (!strcmp(op, "merge")) {
			if (!json_is_string(json_object_get(e, "theme")) || !json_is_string(json_object_get(e, "with")))
				rc = bad(err, i, "merge: expected theme and with, two themes' keys");
		} else if (!strcmp(op, "move")) {
			const char *l = json_string_value(json_object_get(e, "lesson"));
			json_t *nm = json_object_get(e, "name");
			if (!l || !strchr(l, '#'))
				rc = bad(err, i, "lesson: expected CASEID#N");
			else if (!json_is_string(json_object_get(e, "to")))
				rc = bad(err, i, "to: expected a theme's key");
			else if (nm && !json_is_null(nm) && (!json_is_string(nm) || strlen(json_string_value(nm)) > 200))
				rc = bad(err, i, "name: expected a name of at most 200 bytes");
		} else
			rc = bad(err, i, "op: expected rename, merge or move");
		if (rc < 0) {
			json_decref(root);
			return rc;
		}
	}
	json_incref(arr);
	json_decref(root);
	*parsed = arr;
	return 0;
}

void ktheme_edits_free(void *parsed)
{
	json_decref(parsed);
}

static struct ktheme *find(struct ktheme_list *out, const char *key)
{
	for (size_t i = 0; i < out->n; i++)
		if (!strcmp(out->v[i].key, key))
			return &out->v[i];
	return NULL;
}

static int set_name(struct ktheme *t, const char *name)
{
	char *s = strdup(name);
	if (!s)
		return KE_NOMEM;
	free(t->name);
	free(t->name_en);
	t->name = s;
	t->name_en = NULL;
	return 0;
}

static int do_move(struct ktheme_list *out, const struct kcase *cases, size_t n, json_t *e, size_t i)
{
	const char *ref = json_string_value(json_object_get(e, "lesson"));
	const char *to = json_string_value(json_object_get(e, "to"));
	const char *nm = json_string_value(json_object_get(e, "name"));
	const char *hash = strrchr(ref, '#');
	char *end;
	unsigned long num = strtoul(hash + 1, &end, 10);
	struct ktheme *from = NULL, *dest;
	size_t at = 0;

	for (size_t t = 0; t < out->n && !from; t++)
		for (size_t j = 0; j < out->v[t].n; j++) {
			const struct ktheme_lesson *l = &out->v[t].lessons[j];
			const char *id = cases[l->case_index].id ? cases[l->case_index].id : "";
			if (l->case_index < n && *end == '\0' && l->item == num && strlen(id) == (size_t)(hash - ref) &&
			    !memcmp(id, ref, (size_t)(hash - ref))) {
				from = &out->v[t];
				at = j;
				break;
			}
		}
	if (!from)
		return ktheme_note(out, "edit %zu skipped: move %s: no such lesson among these cases", i + 1, ref);
	if (!(dest = find(out, to)) || (!dest->n && strncmp(to, "u-", 2))) {
		if (strncmp(to, "u-", 2))
			return ktheme_note(out, "edit %zu skipped: move %s to %s: the theme is gone", i + 1, ref, to);
		size_t fi = (size_t)(from - out->v);
		if (!dest) {
			int rc = ktheme_add(out, to, nm && *nm ? nm : "新しいテーマ", nm && *nm ? NULL : "New theme", &dest);
			if (rc < 0)
				return rc;
			from = &out->v[fi];
		}
	} else if (nm && *nm && set_name(dest, nm) < 0)
		return KE_NOMEM;
	if (dest == from)
		return 0;
	if (KGROW(dest->lessons, dest->alloc, dest->n + 1) < 0)
		return KE_NOMEM;
	dest->lessons[dest->n++] = from->lessons[at];
	memmove(&from->lessons[at], &from->lessons[at + 1], (from->n - at - 1) * sizeof(*from->lessons));
	from->n--;
	dest->edited = from->edited = 1;
	return 0;
}

int ktheme_edits_apply(void *parsed, const struct kcase *cases, size_t n, struct ktheme_list *out)
{
	json_t *arr = parsed, *e;
	size_t i;
	int rc = 0;

	if (!arr)
		return 0;
	json_array_foreach(arr, i, e) {
		const char *op = json_string_value(json_object_get(e, "op"));
		const char *key = json_string_value(json_object_get(e, "theme"));
		struct ktheme *t;
		if (!strcmp(op, "rename")) {
			if (!(t = find(out, key)) || !t->n)
				rc = ktheme_note(out, "edit %zu skipped: rename %s: the theme is gone", i + 1, key);
			else if ((rc = set_name(t, json_string_value(json_object_get(e, "name")))) >= 0)
				t->edited = 1;
		} else if (!strcmp(op, "merge")) {
			const char *with = json_string_value(json_object_get(e, "with"));
			struct ktheme *w = find(out, with);
			if (!(t = find(out, key)) || !t->n || !w || !w->n || t == w) {
				rc = ktheme_note(out, "edit %zu skipped: merge %s and %s: %s", i + 1, key, with,
						 t == w && t ? "the same theme" : "a theme is gone");
				continue;
			}
			if (KGROW(t->lessons, t->alloc, t->n + w->n) < 0)
				return KE_NOMEM;
			memcpy(t->lessons + t->n, w->lessons, w->n * sizeof(*w->lessons));
			t->n += w->n;
			w->n = 0;
			t->edited = 1;
		} else
			rc = do_move(out, cases, n, e, i);
		if (rc < 0)
			return rc;
	}
	/* emptied themes stay until ktheme_finish() so that later edits find nothing in them */
	return 0;
}
