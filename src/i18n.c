/*
 * i18n.c - the web application's strings in Japanese and English.
 */
#include "i18n.h"
#include "case.h"
#include "store.h"

#include <string.h>

static const char *const msgs[T__N][2] = {
	[T_LANG_CODE] = { "ja", "en" },
	[T_OTHER_LANG_NAME] = { "English", "日本語" },
	[T_OTHER_LANG_CODE] = { "en", "ja" },
	[T_SITE_NAME] = { "教訓 kyokun", "kyokun 教訓" },
	[T_SITE_TAGLINE] = { "重要インフラ障害事例ライブラリ", "Critical infrastructure incident case library" },
	[T_SKIP_TO_MAIN] = { "本文へ移動", "Skip to content" },
	[T_NAV_HOME] = { "トップ", "Home" },
	[T_NAV_DOCUMENTS] = { "報告書", "Reports" },
	[T_NAV_API] = { "API", "API" },
	[T_SEARCH] = { "検索", "Search" },
	[T_SEARCH_PLACEHOLDER] = { "事例を検索（例：ランサムウェア バックアップ）",
				   "Search the cases (e.g. ランサムウェア backup)" },
	[T_SEARCH_LABEL] = { "事例の全文検索", "Full-text search of the cases" },
	[T_SEARCH_HELP] = { "語をスペースで区切るとすべてを含む事例、\"…\" で語順どおり、-語 で除外、OR でいずれか。",
			    "Words separated by spaces must all occur; \"…\" keeps the order, -word excludes, OR gives alternatives." },
	[T_HOME_TITLE] = { "重要インフラの障害事例から学ぶ", "Learning from incidents in critical infrastructure" },
	[T_HOME_LEAD] = { "公表された重要インフラの障害対応事例を、背景・検知・対処・原因・再発防止策・教訓の構成のまま検索し、読むことができます。",
			  "Search and read published incident case studies from critical infrastructure, laid out as the reports present them: background, detection, response, cause, countermeasures and lessons." },
	[T_HOME_STATS_N] = { "%ld件の事例", "%ld cases" },
	[T_HOME_DOCS_N] = { "%ld件の報告書", "%ld reports" },
	[T_RECENT_CASES] = { "最近追加された事例", "Recently added cases" },
	[T_DOCUMENTS] = { "収録している報告書", "Reports in the library" },
	[T_BROWSE] = { "分類から探す", "Browse by classification" },
	[T_NO_CASES] = { "公開されている事例はまだありません。", "No cases are published yet." },
	[T_FACET_CATEGORY] = { "分類", "Category" },
	[T_FACET_DOCUMENT] = { "報告書", "Report" },
	[T_FACET_YEAR] = { "年度", "Year" },
	[T_FACET_EVENT_CLASS] = { "事象の種類", "Kind of event" },
	[T_FACET_THREAT] = { "脅威・要因", "Threat" },
	[T_FACET_SECTOR] = { "分野", "Sector" },
	[T_FACET_READER_LEVEL] = { "取組みの水準", "Level of practice" },
	[T_FACET_TLP] = { "共有レベル", "Sharing level" },
	[T_FACET_TAG] = { "タグ", "Tag" },
	[T_RESULTS_N] = { "%ld件", "%ld results" },
	[T_RESULTS_FOR] = { "検索結果", "Search results" },
	[T_NO_RESULTS] = { "該当する事例はありませんでした。", "No case matched." },
	[T_NO_RESULTS_HINT] = { "語を減らすか、別の言い方で検索してください。",
				"Try fewer words, or other words for the same thing." },
	[T_REFINE] = { "絞り込み", "Refine" },
	[T_ACTIVE_FILTERS] = { "適用中の条件", "Filters" },
	[T_REMOVE_FILTER] = { "条件を外す", "Remove this filter" },
	[T_CLEAR_ALL] = { "すべて解除", "Clear all" },
	[T_PAGE_PREV] = { "前へ", "Previous" },
	[T_PAGE_NEXT] = { "次へ", "Next" },
	[T_PAGE_OF_N] = { "%ld / %ld ページ", "Page %ld of %ld" },
	[T_PAGINATION] = { "ページ送り", "Pages" },
	[T_SEARCH_ALL_CASES] = { "すべての事例", "All cases" },
	[T_CASE] = { "事例", "Case" },
	[T_CASE_NUMBER_N] = { "事例%d", "Case %d" },
	[T_REFERENCE_CASE] = { "参考事例", "Reference case" },
	[T_YEAR_N] = { "%d年度", "FY%d" },
	[T_SOURCE] = { "出典", "Source" },
	[T_CATEGORY] = { "分類", "Category" },
	[T_ORGANIZATION] = { "組織属性", "Organisation" },
	[T_FACTORS] = { "要因", "Factors" },
	[T_READER_LEVEL] = { "取組みの水準", "Level of practice" },
	[T_SHARING] = { "共有レベル", "Sharing" },
	[T_OVERVIEW] = { "事例の概要", "Overview" },
	[T_KEY_LESSONS] = { "主な気付き・教訓", "Key lessons" },
	[T_TIMELINE] = { "時系列", "Timeline" },
	[T_TL_DAY] = { "日", "Day" },
	[T_TL_WHEN] = { "日時", "When" },
	[T_TL_ACTOR] = { "担当", "Role" },
	[T_TL_TEXT] = { "対応内容", "What happened" },
	[T_TL_DAY_N] = { "%d日目", "Day %d" },
	[T_TL_BEFORE_N] = { "%d日前", "%d days before" },
	[T_TL_DAY0] = { "当日以前", "Before day 1" },
	[T_TL_UNDATED] = { "日付なし", "Undated" },
	[T_TL_OTHER_ACTOR] = { "その他", "Other" },
	[T_TAGS] = { "タグ", "Tags" },
	[T_SIMILAR_CASES] = { "類似の事例", "Similar cases" },
	[T_NO_SIMILAR] = { "類似の事例は見つかりませんでした。", "No similar case was found." },
	[T_SHARED_TERMS] = { "共通する語", "Shared terms" },
	[T_SAME_DOCUMENT] = { "同じ報告書の事例", "Other cases in this report" },
	[T_CASE_TOOLS] = { "この事例", "This case" },
	[T_JSON] = { "JSON形式", "JSON" },
	[T_HISTORY] = { "変更履歴", "Revision history" },
	[T_PRINT] = { "印刷", "Print" },
	[T_CONTENTS] = { "目次", "Contents" },
	[T_HISTORY_TITLE] = { "変更履歴", "Revision history" },
	[T_REVISION] = { "版", "Revision" },
	[T_SAVED] = { "保存日時", "Saved" },
	[T_TITLE] = { "表題", "Title" },
	[T_CHANGES] = { "前の版からの変更", "Changed since the previous revision" },
	[T_CURRENT] = { "現在の版", "Current" },
	[T_FIRST_VERSION] = { "最初の版", "First revision" },
	[T_BACK_TO_CASE] = { "事例に戻る", "Back to the case" },
	[T_DOCUMENT] = { "報告書", "Report" },
	[T_DOCUMENTS_TITLE] = { "報告書一覧", "Reports" },
	[T_DOCUMENT_CASES_N] = { "%ld件の事例", "%ld cases" },
	[T_UNCATEGORISED] = { "分類なし", "Not categorised" },
	[T_PUBLISHER] = { "発行", "Publisher" },
	[T_ERROR] = { "エラー", "Error" },
	[T_ERR_400] = { "リクエストが正しくありません", "Bad request" },
	[T_ERR_404] = { "ページが見つかりません", "Not found" },
	[T_ERR_401] = { "サインインが必要です", "Sign in required" },
	[T_ERR_403] = { "この操作は許可されていません", "Not allowed" },
	[T_ERR_405] = { "このメソッドは使えません", "Method not allowed" },
	[T_ERR_413] = { "リクエストの本文が大きすぎます", "Request body too large" },
	[T_ERR_414] = { "URLが長すぎます", "URL too long" },
	[T_ERR_431] = { "リクエストヘッダが大きすぎます", "Request headers too large" },
	[T_ERR_500] = { "サーバ内部のエラー", "Internal server error" },
	[T_ERR_400_HINT] = { "URLや検索条件を確認してください。", "Check the address or the search terms." },
	[T_ERR_404_HINT] = { "URLが正しいか確認するか、検索から探してください。",
			     "Check the address, or find the case with a search." },
	[T_ERR_500_HINT] = { "しばらくしてから再度お試しください。問題が続く場合は管理者に連絡してください。",
			     "Please try again later; if the problem persists, tell the administrator." },
	[T_NO_SUCH_CASE] = { "指定された事例はありません。", "There is no such case." },
	[T_NO_SUCH_DOCUMENT] = { "指定された報告書はありません。", "There is no such report." },
	[T_BAD_CASE_ID] = { "事例IDの形式が正しくありません。", "That is not a valid case id." },
	[T_BAD_PARAMETER] = { "検索条件の値が正しくありません。", "A search parameter has an invalid value." },
	[T_BAD_PAGE] = { "ページ番号が正しくありません。", "That is not a valid page number." },
	[T_FOOTER_VISIBILITY] = { "ログインしていない利用者には TLP:CLEAR の事例のみを表示しています。",
				  "Readers who are not signed in see TLP:CLEAR cases only." },
	[T_FOOTER_SOURCE] = { "事例の出典は各報告書に記載のとおりです。", "Each case names the report it comes from." },
	[T_OPENAPI] = { "API仕様 (OpenAPI)", "API description (OpenAPI)" },
	[T_SNIPPET_FROM] = { "該当箇所", "Matched in" },
	[T_FIELD_TITLE] = { "表題", "Title" },
	[T_FIELD_SUMMARY] = { "概要", "Overview" },
	[T_FIELD_LESSONS] = { "主な気付き・教訓", "Key lessons" },
	[T_FIELD_BODY] = { "本文", "Body" },
	[T_FIELD_TIMELINE] = { "時系列", "Timeline" },
	[T_FIELD_META] = { "分類・属性", "Classification" },
	[T_FIELD_SECTIONS] = { "本文", "Sections" },
	[T_FIELD_SOURCE] = { "出典", "Source" },
	[T_FIELD_TAGS] = { "タグ", "Tags" },
	[T_FIELD_ATTRIBUTES] = { "属性", "Attributes" },
	[T_FIELD_TLP] = { "共有レベル", "Sharing level" },
	[T_FIELD_OTHER] = { "その他", "Other" },
	[T_ALL_DOCUMENTS] = { "報告書一覧へ", "All reports" },
	[T_CASES_IN_CATEGORY_N] = { "%ld件", "%ld cases" },
	[T_MORE] = { "もっと見る", "More" },
	[T_PARTIAL_MATCH] = { "一部の語に一致", "matches some of the words" },
	[T_RESULTS_PARTIAL_N] = { "ほかに一部の語に一致：%ld件", "and %ld matching some of the words" },
	[T_SIGNIN] = { "サインイン", "Sign in" },
	[T_SIGNIN_LEAD] = { "サインインすると、共有レベル（TLP）に応じて、あなたに共有された事例も閲覧できます。",
			    "Sign in to see, as the Traffic Light Protocol allows, the cases shared with you too." },
	[T_SIGNIN_FAILED] = { "サインインできませんでした。ログイン名とパスワードを確認し、しばらくしてから再度お試しください。",
			      "Sign-in failed. Check the login and the password, and try again in a moment." },
	[T_SIGNIN_BAD_ORIGIN] = { "このフォームはこのサイトから送信されていません。サインインのページを開き直してください。",
				  "The form did not come from this site: open the sign-in page again." },
	[T_SIGNED_IN_AS] = { "サインイン中", "Signed in as" },
	[T_SIGNOUT] = { "サインアウト", "Sign out" },
	[T_SIGNOUT_ALL] = { "すべての端末からサインアウト", "Sign out everywhere" },
	[T_SIGNOUT_ALL_LEAD] = { "あなたのアカウントのすべてのセッション（ほかの端末やブラウザのものを含む）を終了します。"
				 "APIトークンは失効しません。",
				 "This ends every session of your account, on every device and browser. "
				 "API tokens stay valid." },
	[T_LOGIN] = { "ログイン名", "Login" },
	[T_PASSWORD] = { "パスワード", "Password" },
	[T_ENTER_LOGIN] = { "ログイン名を入力してください。", "Enter your login." },
	[T_ENTER_PASSWORD] = { "パスワードを入力してください。", "Enter your password." },
	[T_LOGIN_TOO_LONG] = { "ログイン名が長すぎます（64文字まで）。", "The login is too long (64 characters at most)." },
	[T_PASSWORD_TOO_LONG] = { "パスワードが長すぎます（1024バイトまで）。", "The password is too long (1024 bytes at most)." },
	[T_ACCOUNT_MENU] = { "アカウント", "Account" },
	[T_ROLE] = { "役割", "Role" },
	[T_ROLE_REPORTER] = { "報告者", "Reporter" },
	[T_ROLE_LIAISON] = { "所管省庁担当", "Liaison" },
	[T_ROLE_ANALYST] = { "分析担当", "Analyst" },
	[T_ROLE_PUBLISHER] = { "公開担当", "Publisher" },
	[T_ROLE_ADMIN] = { "管理者", "Administrator" },
	[T_NEED_SIGNIN] = { "このページを使うにはサインインしてください。", "Sign in to use this page." },
	[T_NEED_ROLE] = { "あなたの役割ではこの操作はできません。", "Your role does not allow this." },
	[T_CSRF_FAILED] = { "フォームの有効期限が切れたか、このサイト以外から送信されました。ページを再読み込みしてやり直してください。",
			    "The form has expired or did not come from this site: reload the page and try again." },
	[T_ERR_415] = { "この形式の本文は受け付けません", "Unsupported request body" },
	[T_ERR_429] = { "しばらくしてから再度お試しください", "Too many attempts" },
};

static const struct {
	const char *value, *ja, *en;
} tags[] = {
	{ "cyber_attack", "サイバー攻撃", "Cyber attack" },
	{ "system_failure", "システム障害", "System failure" },
	{ "other", "その他", "Other" },
	{ "ddos", "DDoS攻撃", "DDoS" },
	{ "ransomware", "ランサムウェア", "Ransomware" },
	{ "brute_force", "総当たり攻撃", "Brute force" },
	{ "phishing_mail", "標的型・フィッシングメール", "Phishing mail" },
	{ "support_scam", "サポート詐欺", "Support scam" },
	{ "unauthorized_access", "不正アクセス", "Unauthorised access" },
	{ "vulnerability", "脆弱性", "Vulnerability" },
	{ "misconfiguration", "設定誤り", "Misconfiguration" },
	{ "hardware_failure", "ハードウェア故障", "Hardware failure" },
	{ "software_failure", "ソフトウェア不具合", "Software failure" },
	{ "third_party", "委託先・第三者", "Third party" },
	/* the 15 critical-infrastructure sectors (account.h's ksector_tags) */
	{ "telecom", "情報通信", "Telecommunications" },
	{ "finance", "金融", "Finance" },
	{ "aviation", "航空", "Aviation" },
	{ "airport", "空港", "Airports" },
	{ "railway", "鉄道", "Railways" },
	{ "electricity", "電力", "Electricity" },
	{ "gas", "ガス", "Gas" },
	{ "government", "政府・行政サービス", "Government services" },
	{ "medical", "医療", "Medical" },
	{ "water", "水道", "Water" },
	{ "logistics", "物流", "Logistics" },
	{ "chemical", "化学", "Chemicals" },
	{ "credit", "クレジット", "Credit cards" },
	{ "petroleum", "石油", "Petroleum" },
	{ "port", "港湾", "Ports" },
	{ "basic", "基本的取組み", "Basic practice" },
	{ "advanced", "先進的取組み", "Advanced practice" },
	{ "clear", "TLP:CLEAR", "TLP:CLEAR" },
	{ "green", "TLP:GREEN", "TLP:GREEN" },
	{ "amber", "TLP:AMBER", "TLP:AMBER" },
	{ "amber+strict", "TLP:AMBER+STRICT", "TLP:AMBER+STRICT" },
	{ "red", "TLP:RED", "TLP:RED" },
};

static const enum kmsg facet_msgs[KFACET__N] = {
	[KFACET_CATEGORY] = T_FACET_CATEGORY,
	[KFACET_DOCUMENT] = T_FACET_DOCUMENT,
	[KFACET_YEAR] = T_FACET_YEAR,
	[KFACET_EVENT_CLASS] = T_FACET_EVENT_CLASS,
	[KFACET_THREAT] = T_FACET_THREAT,
	[KFACET_SECTOR] = T_FACET_SECTOR,
	[KFACET_READER_LEVEL] = T_FACET_READER_LEVEL,
	[KFACET_TLP] = T_FACET_TLP,
};

const char *i18n(enum klang lang, enum kmsg m)
{
	const char *s;

	if ((int)m < 0 || m >= T__N)
		return "";
	s = msgs[m][lang == KLANG_EN];
	return s ? s : msgs[m][0] ? msgs[m][0] : "";
}

const char *i18n_tag(enum klang lang, const char *value)
{
	if (!value)
		return "";
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (!strcmp(tags[i].value, value))
			return lang == KLANG_EN ? tags[i].en : tags[i].ja;
	return value;
}

const char *i18n_section(enum klang lang, int sec)
{
	const char *s = lang == KLANG_EN ? ksection_label_en(sec) : ksection_label_ja(sec);

	return s ? s : "";
}

const char *i18n_facet(enum klang lang, int facet)
{
	if (facet < 0 || facet >= KFACET__N)
		return "";
	return i18n(lang, facet_msgs[facet]);
}

int i18n_check(void)
{
	for (int m = 0; m < T__N; m++)
		if (!msgs[m][0] || !msgs[m][1] || !*msgs[m][0] || !*msgs[m][1])
			return m;
	return -1;
}
