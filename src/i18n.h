/*
 * i18n.h - every string the web application shows, in Japanese and English.
 *
 * Pages never hold UI text of their own: they name a message (T_*) and get
 * it in the request's language.  Japanese is the default.  Strings with a
 * printf-style %d or %ld say so in their name (..._N).
 */
#ifndef KYOKUN_I18N_H
#define KYOKUN_I18N_H


/* The two languages of every page. */
enum klang { KLANG_JA, KLANG_EN };

enum kmsg {
	T_LANG_CODE,          /* "ja" / "en" */
	T_OTHER_LANG_NAME,    /* the switch link: "English" / "日本語" */
	T_OTHER_LANG_CODE,
	T_SITE_NAME,
	T_SITE_TAGLINE,
	T_SKIP_TO_MAIN,
	T_NAV_HOME,
	T_NAV_DOCUMENTS,
	T_NAV_API,
	T_SEARCH,
	T_SEARCH_PLACEHOLDER,
	T_SEARCH_LABEL,
	T_SEARCH_HELP,
	T_HOME_TITLE,
	T_HOME_LEAD,
	T_HOME_STATS_N,        /* "%ld件の事例" */
	T_HOME_DOCS_N,
	T_RECENT_CASES,
	T_DOCUMENTS,
	T_BROWSE,
	T_NO_CASES,
	T_FACET_CATEGORY,
	T_FACET_DOCUMENT,
	T_FACET_YEAR,
	T_FACET_EVENT_CLASS,
	T_FACET_THREAT,
	T_FACET_SECTOR,
	T_FACET_READER_LEVEL,
	T_FACET_TLP,
	T_FACET_TAG,
	T_RESULTS_N,           /* "%ld件" */
	T_RESULTS_FOR,
	T_NO_RESULTS,
	T_NO_RESULTS_HINT,
	T_REFINE,
	T_ACTIVE_FILTERS,
	T_REMOVE_FILTER,
	T_CLEAR_ALL,
	T_PAGE_PREV,
	T_PAGE_NEXT,
	T_PAGE_OF_N,           /* "%ld / %ld ページ" */
	T_PAGINATION,
	T_SEARCH_ALL_CASES,
	T_CASE,
	T_CASE_NUMBER_N,       /* "事例%d" */
	T_REFERENCE_CASE,
	T_YEAR_N,              /* "%d年度" */
	T_SOURCE,
	T_CATEGORY,
	T_ORGANIZATION,
	T_FACTORS,
	T_READER_LEVEL,
	T_SHARING,
	T_OVERVIEW,
	T_KEY_LESSONS,
	T_TIMELINE,
	T_TL_DAY,
	T_TL_WHEN,
	T_TL_ACTOR,
	T_TL_TEXT,
	T_TL_DAY_N,            /* "%d日目" */
	T_TL_BEFORE_N,         /* "%d日前" */
	T_TL_DAY0,
	T_TL_UNDATED,
	T_TL_OTHER_ACTOR,
	T_TAGS,
	T_SIMILAR_CASES,
	T_NO_SIMILAR,
	T_SHARED_TERMS,
	T_SAME_DOCUMENT,
	T_CASE_TOOLS,
	T_JSON,
	T_HISTORY,
	T_PRINT,
	T_CONTENTS,
	T_HISTORY_TITLE,
	T_REVISION,
	T_SAVED,
	T_TITLE,
	T_CHANGES,
	T_CURRENT,
	T_FIRST_VERSION,
	T_BACK_TO_CASE,
	T_DOCUMENT,
	T_DOCUMENTS_TITLE,
	T_DOCUMENT_CASES_N,    /* "%ld件の事例" */
	T_UNCATEGORISED,
	T_PUBLISHER,
	T_ERROR,
	T_ERR_400,
	T_ERR_404,
	T_ERR_401,
	T_ERR_403,
	T_ERR_405,
	T_ERR_413,
	T_ERR_414,
	T_ERR_431,
	T_ERR_500,
	T_ERR_400_HINT,
	T_ERR_404_HINT,
	T_ERR_500_HINT,
	T_NO_SUCH_CASE,
	T_NO_SUCH_DOCUMENT,
	T_BAD_CASE_ID,
	T_BAD_PARAMETER,
	T_BAD_PAGE,
	T_FOOTER_VISIBILITY,
	T_FOOTER_SOURCE,
	T_OPENAPI,
	T_SNIPPET_FROM,
	T_FIELD_TITLE,
	T_FIELD_SUMMARY,
	T_FIELD_LESSONS,
	T_FIELD_BODY,
	T_FIELD_TIMELINE,
	T_FIELD_META,
	T_FIELD_SECTIONS,
	T_FIELD_SOURCE,
	T_FIELD_TAGS,
	T_FIELD_ATTRIBUTES,
	T_FIELD_TLP,
	T_FIELD_OTHER,
	T_ALL_DOCUMENTS,
	T_CASES_IN_CATEGORY_N,
	T_MORE,
	T_PARTIAL_MATCH,
	T_RESULTS_PARTIAL_N,
	/* accounts: sign-in, sign-out, the header (web_account.c, web_layout.c) */
	T_SIGNIN,
	T_SIGNIN_LEAD,
	T_SIGNIN_FAILED,
	T_SIGNIN_BAD_ORIGIN,
	T_SIGNED_IN_AS,
	T_SIGNOUT,
	T_SIGNOUT_ALL,
	T_SIGNOUT_ALL_LEAD,
	T_LOGIN,
	T_PASSWORD,
	T_ENTER_LOGIN,
	T_ENTER_PASSWORD,
	T_LOGIN_TOO_LONG,
	T_PASSWORD_TOO_LONG,
	T_ACCOUNT_MENU,
	T_ROLE,
	T_ROLE_REPORTER,
	T_ROLE_LIAISON,
	T_ROLE_ANALYST,
	T_ROLE_PUBLISHER,
	T_ROLE_ADMIN,
	T_NEED_SIGNIN,
	T_NEED_ROLE,
	T_CSRF_FAILED,
	T_ERR_415,
	T_ERR_429,
	T__N
};

/* The message in lang (never NULL). */
const char *i18n(enum klang lang, enum kmsg m);
#define T(req, m) i18n((req)->lang, (m))

/* A tag value (threat, event class, reader level) for people: "ddos" is
 * "DDoS攻撃"; values without a label (sectors) come back unchanged. */
const char *i18n_tag(enum klang lang, const char *value);

/* A section heading (背景 / Background ...). */
const char *i18n_section(enum klang lang, int sec);

/* The label of a facet (KFACET_* of store.h). */
const char *i18n_facet(enum klang lang, int facet);

/* Check the table: every message in both languages.  Returns the first
 * missing message number, or -1. */
int i18n_check(void);

#endif
