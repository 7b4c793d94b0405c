/*
 * select.c - the selection criteria and the shortlist.  Seam from issue 13:
 * h-select owns it.
 */
#include "select.h"

const struct kselect_criterion kselect_criteria[KSELECT_NCRITERIA] = {
	{ "damage", "重要インフラサービス及びその周辺サービスへの実害の有無",
	  "actual harm to a critical-infrastructure service or the services around it" },
	{ "severity", "事案の重大さ・社会的影響（関心）の大きさ",
	  "seriousness of the incident and the size of its social impact (public interest)" },
	{ "recurrence", "類似事例の発生状況や今後発生する可能性",
	  "how often similar incidents occur and how likely they are to occur" },
	{ "novelty", "攻撃手口や被害の目新しさ", "novelty of the attack method or the damage" },
	{ "trend", "世の中のトレンド", "current trends" },
	{ "spread", "他分野への波及の可能性", "possibility of spreading to other sectors" },
	{ "lessons", "得られる気付き・教訓の有用性", "usefulness of the insights and lessons learned" },
	{ "response", "事案の対応の優劣", "how well or badly the incident was handled" },
};

const struct kselect_criterion kselect_balance = { "balance", "分野のバランス", "balance of sectors" };
