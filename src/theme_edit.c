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
		return ktheme_note(out, "編集 %zu を飛ばしました（教訓 %s がありません） / edit %zu skipped: move %s: no such lesson among these cases", i + 1, ref, i + 1, ref);
	if (!(dest = find(out, to)) || (!dest->n && strncmp(to, "u-", 2))) {
		if (strncmp(to, "u-", 2))
			return ktheme_note(out, "編集 %zu を飛ばしました（テーマ %s がありません） / edit %zu skipped: move %s to %s: the theme is gone", i + 1, to, i + 1, ref, to);
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
				rc = ktheme_note(out, "編集 %zu を飛ばしました（テーマ %s がありません） / edit %zu skipped: rename %s: the theme is gone", i + 1, key, i + 1, key);
			else if ((rc = set_name(t, json_string_value(json_object_get(e, "name")))) >= 0)
				t->edited = 1;
		} else if (!strcmp(op, "merge")) {
			const char *with = json_string_value(json_object_get(e, "with"));
			struct ktheme *w = find(out, with);
			if (!(t = find(out, key)) || !t->n || !w || !w->n || t == w) {
				rc = ktheme_note(out, "編集 %zu を飛ばしました（%s） / edit %zu skipped: merge %s and %s: %s", i + 1,
						 t == w && t ? "同じテーマです" : "テーマがありません", i + 1, key, with,
						 t == w && t ? "the same theme" : "a theme is gone");
				if (rc < 0)
					return rc;
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

static const struct ktheme *find_c(const struct ktheme_list *tl, const char *key)
{
	for (size_t i = 0; key && i < tl->n; i++)
		if (!strcmp(tl->v[i].key, key))
			return &tl->v[i];
	return NULL;
}

static int name_ok(const char *s)
{
	size_t l = s ? strlen(s) : 0;
	return l > 0 && l <= 200;
}

int ktheme_edit_make(const struct kcase *cases, size_t n, const struct ktheme_list *tl, const char *kept,
		     const char *op, const char *a, const char *b, const char *name, char **json, struct kerr *err)
{
	json_t *e = NULL;
	char key[32];
	int rc = 0;

	*json = NULL;
	if (!op || !a || !*a || !b || !*b)
		return kerr_set(err, KE_INVALID, "edit: expected an op and two values");
	if (!strcmp(op, "rename")) {
		if (!find_c(tl, a))
			return kerr_set(err, KE_NOTFOUND, "no theme %s", a);
		if (!name_ok(b))
			return kerr_set(err, KE_INVALID, "name: expected 1 to 200 bytes");
		e = json_pack("{s:s, s:s, s:s}", "op", "rename", "theme", a, "name", b);
	} else if (!strcmp(op, "merge")) {
		if (!find_c(tl, a) || !find_c(tl, b))
			return kerr_set(err, KE_NOTFOUND, "no theme %s", find_c(tl, a) ? b : a);
		if (!strcmp(a, b))
			return kerr_set(err, KE_INVALID, "merge: expected two different themes");
		e = json_pack("{s:s, s:s, s:s}", "op", "merge", "theme", a, "with", b);
	} else if (!strcmp(op, "move")) {
		const char *hash = strrchr(a, '#');
		int found = 0;
		for (size_t t = 0; hash && t < tl->n && !found; t++)
			for (size_t j = 0; j < tl->v[t].n && !found; j++) {
				const struct ktheme_lesson *l = &tl->v[t].lessons[j];
				const char *id = l->case_index < n && cases[l->case_index].id ? cases[l->case_index].id : "";
				char num[32];
				snprintf(num, sizeof(num), "%zu", l->item);
				found = strlen(id) == (size_t)(hash - a) && !memcmp(id, a, (size_t)(hash - a)) &&
					!strcmp(hash + 1, num);
			}
		if (!found)
			return kerr_set(err, KE_NOTFOUND, "no lesson %s among these cases (a lesson is CASEID#N)", a);
		if (!strcmp(b, "new")) {
			long max = 0;
			for (const char *p = kept; p && (p = strstr(p, "\"u-")); p += 3) {
				long v = strtol(p + 3, NULL, 10);
				if (v > max)
					max = v;
			}
			for (size_t t = 0; t < tl->n; t++)
				if (!strncmp(tl->v[t].key, "u-", 2) && strtol(tl->v[t].key + 2, NULL, 10) > max)
					max = strtol(tl->v[t].key + 2, NULL, 10);
			snprintf(key, sizeof(key), "u-%ld", max + 1);
			b = key;
		} else if (!find_c(tl, b))
			return kerr_set(err, KE_NOTFOUND, "no theme %s", b);
		if (name && *name && !name_ok(name))
			return kerr_set(err, KE_INVALID, "name: expected 1 to 200 bytes");
		e = json_pack("{s:s, s:s, s:s}", "op", "move", "lesson", a, "to", b);
		if (e && name && *name && json_object_set_new(e, "name", json_string(name)))
			rc = KE_NOMEM;
	} else
		return kerr_set(err, KE_INVALID, "op: expected rename, merge or move");
	if (rc < 0 || !e || !(*json = json_dumps(e, JSON_COMPACT)))
		rc = kerr_set(err, KE_NOMEM, "out of memory");
	json_decref(e);
	return rc;
}
