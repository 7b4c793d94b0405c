/*
 * mkpdf.c - generate the PDF test inputs of kyokun from our own sample text.
 *
 * Everything is drawn with cairo's PDF surface and its "toy" text API, with
 * a Japanese font found through fontconfig (fonts-noto-cjk), so the files
 * look like a published incident report: a case heading, 【section】 headings
 * with bullet lines, a page number at the bottom, and a two-column page.
 * The encrypted sample is written by hand (RC4, standard security handler
 * revision 2) because cairo cannot encrypt.
 *
 *   mkpdf report OUT.pdf           the 3-page sample report (page 2: two columns)
 *   mkpdf bench OUT.pdf NPAGES     a long generated report for benchmarks
 *   mkpdf blank OUT.pdf            one page of graphics only (no text layer)
 *   mkpdf encrypted OUT.pdf [PW]   an RC4-encrypted page; user password PW
 *                                  (default "kyokun"; "" = opens without one)
 *   mkpdf survey OUT.pdf OUT.txt   a 5-page survey report (a case list table,
 *                                  case pages in two columns or with side heads,
 *                                  a timeline with role
 *                                  columns, a figure) and the same content as
 *                                  text (without the figure's labels)
 *   mkpdf list2 OUT.pdf            a case list of two columns (overview |
 *                                  lessons), a case's number alone on its line
 *   mkpdf spread OUT.pdf           two pages side by side, two columns each
 *   mkpdf scanned OUT.pdf          3 scanned pages with a printed header and
 *                                  page numbers (their only text)
 *
 * tests/unit/test_pdf.c includes this file with MKPDF_NO_MAIN defined.
 * Standalone: cc -std=c17 -O2 -o mkpdf tests/tools/mkpdf.c \
 *                 $(pkg-config --cflags --libs cairo glib-2.0)
 */
#include <cairo.h>
#include <cairo-pdf.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MK_FONT		"Noto Sans CJK JP"
#define MK_PAGE_W	595.276	/* A4 in points */
#define MK_PAGE_H	841.890
#define MK_MARGIN	56.0
#define MK_GUTTER	36.0

/*
 * A page is a list of lines.  The first character says how to draw it:
 *   '#' case heading (full width)      '=' 【section】 heading
 *   '-' bullet or body line            '|' start the right column
 *   '%' start two columns here (lines until '|' go left)
 * The page number is added at the bottom.  mkpdf_report_text[] holds the
 * pages of the sample report; a NULL line ends a page, two end the report.
 */
static const char *const mkpdf_report_text[] = {
	"#事例１ 浄水場の監視制御システムへの不正アクセス",
	"-分野：水道 ／ 発生：令和４年１０月 ／ 影響：なし（未遂）",
	"=【１ 背景】",
	"-・Ａ市の浄水場は、遠隔保守のためにＶＰＮ装置を設けていた。",
	"-・保守事業者の共通アカウントが複数の拠点で使い回されていた。",
	"-・装置のファームウェアは導入以来更新されていなかった。",
	"=【２ 事象の概要】",
	"-・深夜、外部から保守用アカウントによる接続が記録された。",
	"-・監視画面で設定値が変更され、薬品注入量の警報が出た。",
	"-・運転員が異常に気付き、手動運転に切り替えて影響を防いだ。",
	"=【３ 原因】",
	"-・ＶＰＮ装置の既知の脆弱性から認証情報が流出していた。",
	"-・接続元の制限と多要素認証が導入されていなかった。",
	NULL,
	"#事例２ 変電所の保護リレー整定値の誤入力",
	"%【１ 背景】",
	"-・更新工事で保護リレーを交換した。",
	"-・整定値は表計算ファイルで渡された。",
	"-・受け渡しの手順書はなかった。",
	"=【２ 事象の概要】",
	"-・落雷の地絡で、広い範囲が停電した。",
	"-・復旧までに約４０分を要した。",
	"-・利用者への周知が遅れた。",
	"|【３ 原因】",
	"-・ファイルの版が古く、値が違った。",
	"-・試験は旧い値のままで行われた。",
	"-・照合の担当が決まっていなかった。",
	"=【４ 教訓】",
	"-・整定値は原本と照合して入力する。",
	"-・交換後は実機で動作を確かめる。",
	"-・版の管理者を一人に決める。",
	NULL,
	"#事例３ 列車運行管理システムの停止",
	"-分野：鉄道 ／ 発生：2023年2月 ／ 影響：約3時間の運転見合わせ",
	"=【１ 背景】",
	"-・運行管理サーバはSCADAと同じ閉域網に置かれていた。",
	"-・バックアップ系への切替は年に一度しか試していなかった。",
	"=【２ 経過】",
	"-06:10\t運行管理サーバが応答しなくなった。",
	"-06:25\tバックアップ系へ手動で切り替えた。",
	"-06:40\t切替に失敗し、全線で運転を見合わせた。",
	"-09:20\t主系を再起動し、運転を再開した。",
	"=【３ 教訓】",
	"-・切替訓練は実際の負荷に近い条件で定期的に行う。",
	"-・閉域網でも、持込み機器の検査を省かない。",
	"-Note: the remote maintenance gate-",
	"-way had been left enabled after the upgrade.",
	NULL,
	NULL,
};

/* Phrases for the long benchmark report; also our own text. */
static const char *const mk_topics[] = {
	"浄水場の遠隔監視装置の通信途絶", "変電所の保護リレー整定値の誤り",
	"ガス導管の遠隔遮断弁の誤動作", "空港の手荷物搬送システムの停止",
	"病院の電子カルテ端末のマルウェア感染", "港湾の荷役管理サーバの障害",
	"鉄道信号の保守端末の設定漏れ", "金融機関の決済ネットワークの遅延",
};
static const char *const mk_sections[] = {
	"背景", "事象の概要", "原因", "対策", "教訓",
};
static const char *const mk_bullets[] = {
	"・保守用の共通アカウントが長く使われていた。",
	"・機器の更新記録が台帳に反映されていなかった。",
	"・監視画面の警報が多く、重要な警報が埋もれた。",
	"・手順書に切替の判断基準が書かれていなかった。",
	"・外部との接続点が一覧になっていなかった。",
	"・夜間の体制では一人で判断する必要があった。",
	"・訓練は実機ではなく机上でのみ行われていた。",
	"・委託先への連絡経路が一本しかなかった。",
	"・ログの保存期間が短く、原因の特定が遅れた。",
	"・設定変更の承認が口頭で済まされていた。",
	"・予備の部品が別の拠点に保管されていた。",
	"・影響範囲の確認に三時間以上かかった。",
};

static const char *const mk_kanji_digits[] = {
	"０", "１", "２", "３", "４", "５", "６", "７", "８", "９",
};

/* Write n in full-width digits into buf (as Japanese reports number cases). */
static void mk_fullwidth(char *buf, size_t size, unsigned n)
{
	char ascii[16];
	size_t len = 0;

	snprintf(ascii, sizeof(ascii), "%u", n);
	buf[0] = '\0';
	for (const char *p = ascii; *p && len + 4 < size; p++) {
		strcat(buf, mk_kanji_digits[*p - '0']);
		len += 3;
	}
}

struct mk_cursor {
	cairo_t *cr;
	double x, y;		/* where the next line starts (baseline) */
	double width;		/* of the current column */
	double top;		/* y where the columns start */
	double left_bottom;	/* how far the left column went */
};

static void mk_show(struct mk_cursor *c, double size, const char *text)
{
	cairo_set_font_size(c->cr, size);
	cairo_move_to(c->cr, c->x, c->y);
	cairo_show_text(c->cr, text);
}

/* Draw one line given in the mini-language above. */
static void mk_line(struct mk_cursor *c, const char *line)
{
	const char *tab;

	switch (line[0]) {
	case '#':
		c->y += 8;
		mk_show(c, 15, line + 1);
		cairo_move_to(c->cr, c->x, c->y + 6);
		cairo_line_to(c->cr, MK_PAGE_W - MK_MARGIN, c->y + 6);
		cairo_set_line_width(c->cr, 0.8);
		cairo_stroke(c->cr);
		c->y += 30;
		break;
	case '%':
		c->width = (MK_PAGE_W - 2 * MK_MARGIN - MK_GUTTER) / 2;
		c->top = c->y;
		/* fall through */
	case '=':
		if (!c->top)	/* in two columns, sections follow closely */
			c->y += 6;
		mk_show(c, 10, line + 1);
		c->y += 15;
		break;
	case '|':
		c->left_bottom = c->y;
		c->x = MK_MARGIN + c->width + MK_GUTTER;
		c->y = c->top + 6;
		mk_show(c, 10, line + 1);
		c->y += 15;
		break;
	default:
		tab = strchr(line, '\t');
		if (tab) {	/* a table row: two cells */
			char cell[256];

			snprintf(cell, sizeof(cell), "%.*s", (int)(tab - line - 1), line + 1);
			mk_show(c, 10, cell);
			c->x += 60;
			mk_show(c, 10, tab + 1);
			c->x -= 60;
		} else {
			mk_show(c, 10, line + 1);
		}
		c->y += 14;
		break;
	}
}

static void mk_page_start(struct mk_cursor *c)
{
	c->x = MK_MARGIN;
	c->y = MK_MARGIN + 20;
	c->width = MK_PAGE_W - 2 * MK_MARGIN;
	c->top = c->left_bottom = 0;
	cairo_set_source_rgb(c->cr, 0, 0, 0);
	cairo_select_font_face(c->cr, MK_FONT, CAIRO_FONT_SLANT_NORMAL,
			       CAIRO_FONT_WEIGHT_NORMAL);
}

static void mk_page_end(struct mk_cursor *c, unsigned pageno)
{
	char num[32];

	snprintf(num, sizeof(num), "- %u -", pageno);
	c->x = MK_PAGE_W / 2 - 12;
	c->y = MK_PAGE_H - 36;
	mk_show(c, 9, num);
	cairo_show_page(c->cr);
}

static cairo_t *mk_open(const char *path, cairo_surface_t **sf)
{
	cairo_t *cr;

	*sf = cairo_pdf_surface_create(path, MK_PAGE_W, MK_PAGE_H);
	if (cairo_surface_status(*sf) != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "mkpdf: %s: %s\n", path,
			cairo_status_to_string(cairo_surface_status(*sf)));
		cairo_surface_destroy(*sf);
		return NULL;
	}
	cairo_pdf_surface_set_metadata(*sf, CAIRO_PDF_METADATA_TITLE,
				       "kyokun sample incident report");
	cr = cairo_create(*sf);
	/* without a Japanese font cairo would draw empty boxes: say so */
	{
		cairo_glyph_t *g = NULL;
		int ng = 0;

		cairo_select_font_face(cr, MK_FONT, CAIRO_FONT_SLANT_NORMAL,
				       CAIRO_FONT_WEIGHT_NORMAL);
		cairo_scaled_font_text_to_glyphs(cairo_get_scaled_font(cr), 0, 0, "事例",
						 -1, &g, &ng, NULL, NULL, NULL);
		if (ng != 2 || !g[0].index || !g[1].index) {
			fprintf(stderr, "mkpdf: no Japanese font \"%s\" (install fonts-noto-cjk)\n",
				MK_FONT);
			cairo_glyph_free(g);
			cairo_destroy(cr);
			cairo_surface_destroy(*sf);
			return NULL;
		}
		cairo_glyph_free(g);
	}
	return cr;
}

static int mk_close(cairo_t *cr, cairo_surface_t *sf, const char *path)
{
	cairo_status_t st;

	cairo_destroy(cr);
	cairo_surface_finish(sf);
	st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (st != CAIRO_STATUS_SUCCESS) {
		fprintf(stderr, "mkpdf: %s: %s\n", path, cairo_status_to_string(st));
		return -1;
	}
	return 0;
}

/* The sample report; returns 0 or -1 (message on stderr). */
static int mkpdf_report(const char *path)
{
	cairo_surface_t *sf;
	struct mk_cursor c;
	unsigned pageno = 1;
	size_t i = 0;

	c.cr = mk_open(path, &sf);
	if (!c.cr)
		return -1;
	while (mkpdf_report_text[i]) {
		mk_page_start(&c);
		for (; mkpdf_report_text[i]; i++)
			mk_line(&c, mkpdf_report_text[i]);
		mk_page_end(&c, pageno++);
		i++;
	}
	return mk_close(c.cr, sf, path);
}

/*
 * A long report of npages pages; every fourth page has two columns.  The
 * text varies with the page number so that no two pages are the same.
 */
static int mkpdf_bench(const char *path, unsigned npages)
{
	const size_t nb = sizeof(mk_bullets) / sizeof(mk_bullets[0]);
	const size_t nt = sizeof(mk_topics) / sizeof(mk_topics[0]);
	cairo_surface_t *sf;
	struct mk_cursor c;
	char line[512], num[64];

	c.cr = mk_open(path, &sf);
	if (!c.cr)
		return -1;
	for (unsigned p = 1; p <= npages; p++) {
		int twocol = p % 4 == 0;

		mk_page_start(&c);
		mk_fullwidth(num, sizeof(num), p);
		snprintf(line, sizeof(line), "#事例%s %s", num, mk_topics[p % nt]);
		mk_line(&c, line);
		for (unsigned s = 0; s < 5; s++) {
			mk_fullwidth(num, sizeof(num), s + 1);
			snprintf(line, sizeof(line), "%c【%s %s】",
				 twocol && s == 0 ? '%' : twocol && s == 3 ? '|' : '=',
				 num, mk_sections[s]);
			mk_line(&c, line);
			for (unsigned b = 0; b < (twocol ? 4u : 6u); b++) {
				const char *t = mk_bullets[(p * 7 + s * 5 + b * 3) % nb];

				/* in two columns, a column holds about 20 characters */
				if (twocol)
					snprintf(line, sizeof(line), "-・第%u項：%.*s", b + 1, 36, t + 3);
				else
					snprintf(line, sizeof(line), "-%s（%u-%u-%u）", t, p, s + 1, b + 1);
				mk_line(&c, line);
			}
		}
		mk_page_end(&c, p);
	}
	return mk_close(c.cr, sf, path);
}

/* One page with shapes only, as a scanned report without OCR would have. */
static int mkpdf_blank(const char *path)
{
	cairo_surface_t *sf;
	cairo_t *cr;

	cr = mk_open(path, &sf);
	if (!cr)
		return -1;
	cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
	cairo_rectangle(cr, MK_MARGIN, MK_MARGIN, MK_PAGE_W - 2 * MK_MARGIN, 300);
	cairo_fill(cr);
	for (int i = 0; i < 20; i++) {
		cairo_set_source_rgb(cr, 0, 0, 0);
		cairo_rectangle(cr, MK_MARGIN, 400 + i * 16, 200 + (i * 37) % 230, 6);
		cairo_fill(cr);
	}
	cairo_show_page(cr);
	return mk_close(cr, sf, path);
}

static void mk_text(cairo_t *cr, double x, double y, double size, const char *text);

/*
 * Three scanned pages (shapes only) on which the printer stamped a running
 * header and a page number as text: still no text layer for the report.
 */
static int mkpdf_scanned(const char *path)
{
	cairo_surface_t *sf;
	cairo_t *cr;
	char num[32];

	cr = mk_open(path, &sf);
	if (!cr)
		return -1;
	for (int p = 1; p <= 3; p++) {
		cairo_set_source_rgb(cr, 0.85, 0.85, 0.85);
		cairo_rectangle(cr, MK_MARGIN, MK_MARGIN + 20, MK_PAGE_W - 2 * MK_MARGIN, 600);
		cairo_fill(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		mk_text(cr, MK_MARGIN, 32, 8, "重要インフラ事例の補完調査（サンプル）");
		snprintf(num, sizeof(num), "- %d -", p);
		mk_text(cr, MK_PAGE_W / 2 - 12, MK_PAGE_H - 36, 9, num);
		cairo_show_page(cr);
	}
	return mk_close(cr, sf, path);
}

/* ---- a hand-written encrypted PDF (RC4 40-bit, /V 1 /R 2) ---- */

static const unsigned char mk_pad[32] = {
	0x28, 0xbf, 0x4e, 0x5e, 0x4e, 0x75, 0x8a, 0x41, 0x64, 0x00, 0x4e, 0x56,
	0xff, 0xfa, 0x01, 0x08, 0x2e, 0x2e, 0x00, 0xb6, 0xd0, 0x68, 0x3e, 0x80,
	0x2f, 0x0c, 0xa9, 0xfe, 0x64, 0x53, 0x69, 0x7a,
};

static void mk_rc4(const unsigned char *key, size_t klen, unsigned char *buf, size_t len)
{
	unsigned char s[256], t;
	unsigned i, j = 0;

	for (i = 0; i < 256; i++)
		s[i] = (unsigned char)i;
	for (i = 0; i < 256; i++) {
		j = (j + s[i] + key[i % klen]) & 0xff;
		t = s[i], s[i] = s[j], s[j] = t;
	}
	i = j = 0;
	for (size_t k = 0; k < len; k++) {
		i = (i + 1) & 0xff;
		j = (j + s[i]) & 0xff;
		t = s[i], s[i] = s[j], s[j] = t;
		buf[k] ^= s[(s[i] + s[j]) & 0xff];
	}
}

static void mk_md5(const void *a, size_t alen, const void *b, size_t blen,
		   const void *c, size_t clen, const void *d, size_t dlen,
		   unsigned char out[16])
{
	GChecksum *ck = g_checksum_new(G_CHECKSUM_MD5);
	gsize n = 16;

	g_checksum_update(ck, a, alen);
	if (blen)
		g_checksum_update(ck, b, blen);
	if (clen)
		g_checksum_update(ck, c, clen);
	if (dlen)
		g_checksum_update(ck, d, dlen);
	g_checksum_get_digest(ck, out, &n);
	g_checksum_free(ck);
}

static void mk_padpw(const char *pw, unsigned char out[32])
{
	size_t n = strlen(pw) > 32 ? 32 : strlen(pw);

	memcpy(out, pw, n);
	memcpy(out + n, mk_pad, 32 - n);
}

static void mk_hex(FILE *fp, const unsigned char *p, size_t n)
{
	fputc('<', fp);
	for (size_t i = 0; i < n; i++)
		fprintf(fp, "%02x", p[i]);
	fputc('>', fp);
}

/*
 * A one-page PDF whose content stream is RC4-encrypted with user password
 * userpw and owner password "owner-secret".  With userpw "" any reader opens
 * it (only the permissions are restricted, as many published reports are).
 */
static int mkpdf_encrypted(const char *path, const char *userpw)
{
	static const unsigned char id[16] = "kyokun-sample-1";
	static const char content[] =
		"BT /F1 14 Tf 72 760 Td (Restricted maintenance log) Tj "
		"0 -20 Td (Remote access was disabled after the incident.) Tj ET\n";
	const int perms = -3904;	/* print only, no copying or editing */
	unsigned char upad[32], opad[32], okey[16], o[32], u[32], key[16], objkey[16];
	unsigned char pbytes[4], ref[5], stream[sizeof(content)];
	long off[7];
	size_t clen = sizeof(content) - 1;
	FILE *fp;
	int rc;

	/* Algorithm 3.3: /O from the owner and user passwords */
	mk_padpw("owner-secret", opad);
	mk_md5(opad, 32, NULL, 0, NULL, 0, NULL, 0, okey);
	mk_padpw(userpw, upad);
	memcpy(o, upad, 32);
	mk_rc4(okey, 5, o, 32);
	/* Algorithm 3.2: the file key */
	for (int i = 0; i < 4; i++)
		pbytes[i] = (unsigned char)(((unsigned)perms >> (8 * i)) & 0xff);
	mk_md5(upad, 32, o, 32, pbytes, 4, id, 16, key);
	/* Algorithm 3.4: /U */
	memcpy(u, mk_pad, 32);
	mk_rc4(key, 5, u, 32);
	/* Algorithm 3.1: the key of object 4 0 (the content stream) */
	memcpy(ref, "\x04\x00\x00\x00\x00", 5);
	mk_md5(key, 5, ref, 5, NULL, 0, NULL, 0, objkey);
	memcpy(stream, content, clen);
	mk_rc4(objkey, 10, stream, clen);

	fp = fopen(path, "wb");
	if (!fp) {
		perror(path);
		return -1;
	}
	fputs("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", fp);
	off[1] = ftell(fp);
	fputs("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n", fp);
	off[2] = ftell(fp);
	fputs("2 0 obj\n<< /Type /Pages /Kids [3 0 R] /Count 1 >>\nendobj\n", fp);
	off[3] = ftell(fp);
	fputs("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
	      "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>\nendobj\n", fp);
	off[4] = ftell(fp);
	fprintf(fp, "4 0 obj\n<< /Length %zu >>\nstream\n", clen);
	fwrite(stream, 1, clen, fp);
	fputs("\nendstream\nendobj\n", fp);
	off[5] = ftell(fp);
	fputs("5 0 obj\n<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n", fp);
	off[6] = ftell(fp);
	fputs("6 0 obj\n<< /Filter /Standard /V 1 /R 2 /O ", fp);
	mk_hex(fp, o, 32);
	fputs(" /U ", fp);
	mk_hex(fp, u, 32);
	fprintf(fp, " /P %d >>\nendobj\n", perms);
	long xref = ftell(fp);
	fputs("xref\n0 7\n0000000000 65535 f \n", fp);
	for (int i = 1; i <= 6; i++)
		fprintf(fp, "%010ld 00000 n \n", off[i]);
	fputs("trailer\n<< /Size 7 /Root 1 0 R /Encrypt 6 0 R /ID [", fp);
	mk_hex(fp, id, 16);
	mk_hex(fp, id, 16);
	fprintf(fp, "] >>\nstartxref\n%ld\n%%%%EOF\n", xref);
	rc = ferror(fp) ? -1 : 0;
	if (fclose(fp) != 0)
		rc = -1;
	if (rc < 0)
		perror(path);
	return rc;
}


/* ---- a survey report: a case list table, two-column case pages, a timeline ---- */

/*
 * The same content is written as the PDF and as the text the importer
 * reads best (tables as tab-separated rows, one column after the other),
 * so that a test can import both and compare.  Every page has a running
 * header at its top and a page number at its foot.  The two columns of a
 * case page share their baselines and have a narrow gutter, as the survey
 * reports print them (pdftotext reads such pages line across line).
 */
struct mk_scase {
	const char *title, *cat;
	const char *summary[3];		/* the case list's overview, and page 1/2 */
	const char *lessons[3];		/* the case list's lessons */
	const char *left[10], *right[10];	/* page 2/2: '=' heading, '-' bullet */
};

static const struct mk_scase mk_survey[] = {
	{ "給水設備の遠隔監視の途絶", "設備の不具合に起因する障害",
	  { "・給水設備の制御盤で通信装置が停止し、遠隔監視が約二時間途絶えた。",
	    "・現地の巡回で運転状態を確かめ、給水は続けられた。" },
	  { "・通信装置の予備機を現地に置く", "・途絶時の巡回手順を定める" },
	  { "=【1 背景】", "-・通信装置は導入から十年が過ぎており、部品の交換時期を迎えていた。",
	    "-・予備機は本社の倉庫に置かれていた。", "=【2 検知】",
	    "-・監視画面の更新が止まり、当直者が気付いた。", "=【3 対処】",
	    "-・職員が現地に向かい、運転状態を確かめた。", "-・予備機を運び、通信を復旧した。" },
	  { "=【4 原因】", "-・通信装置の電源部品が劣化しており、停電の後に再起動できなかった。",
	    "=【5 再発に備えた対策】", "-・予備機を各拠点に配備した。",
	    "=【6 得られた気付き・教訓】", "-・途絶に備えた巡回手順の重要性",
	    "-・手順を決めておくことで、初動が早まった。" } },
	{ "保守端末からの不審な通信", "外部からの不正な通信",
	  { "・委託先の保守端末から、許可のない宛先への通信が見つかった。",
	    "・端末を切り離し、影響がないことを確かめた。" },
	  { "・保守端末の持込み検査を徹底する" },
	  { "=【1 背景】", "-・保守端末は委託先が持ち込んだもので、検査を受けずに接続されていた。", "=【2 検知】",
	    "-・境界の監視装置が不審な通信を検知した。", "=【3 対処】",
	    "-・端末をネットワークから切り離した。", "-・通信の記録を調べ、流出がないと確かめた。" },
	  { "=【4 原因】", "-・端末に不要なソフトウェアが入っており、外部と自動で通信していた。",
	    "=【5 再発に備えた対策】", "-・持込み端末の検査手順を定めた。",
	    "=【6 得られた気付き・教訓】", "-・持込み機器の管理の重要性",
	    "-・委託先と検査の手順を共有することが有効である。" } },
};

/* The timeline of the first case: a time, then one cell per role. */
static const char *const mk_roles[] = { "日時", "①経営・広報", "②情報システム部門", "③現場" };
static const char *const mk_events[][4] = {
	{ "1日目 9:00", NULL, "・監視画面の更新が止まる", NULL },
	{ "1日目 9:30", "・関係者へ状況を連絡する", NULL, "・現地で運転状態を確かめる" },
	{ "2日目", NULL, "・予備機で通信を復旧する ・復旧を関係者へ知らせる", NULL },
};

#define MK_RUNNING "重要インフラ事例の補完調査（サンプル）"

/* Draw text at (x, y) in size, wrapped every max characters; returns the lines drawn. */
static int mk_wrapped(cairo_t *cr, double x, double y, double size, double pitch, const char *text,
		      int max)
{
	char buf[512];
	const char *p = text;
	int lines = 0;

	cairo_set_font_size(cr, size);
	while (*p) {
		const char *e = p;
		int n = 0;

		while (*e && n < max) {
			e++;
			while ((*e & 0xc0) == 0x80)
				e++;
			n++;
		}
		snprintf(buf, sizeof(buf), "%.*s", (int)(e - p), p);
		cairo_move_to(cr, x, y + lines * pitch);
		cairo_show_text(cr, buf);
		lines++;
		p = e;
	}
	return lines;
}

static void mk_text(cairo_t *cr, double x, double y, double size, const char *text)
{
	cairo_set_font_size(cr, size);
	cairo_move_to(cr, x, y);
	cairo_show_text(cr, text);
}

static void mk_rule(cairo_t *cr, double x0, double y0, double x1, double y1)
{
	cairo_move_to(cr, x0, y0);
	cairo_line_to(cr, x1, y1);
	cairo_set_line_width(cr, 0.5);
	cairo_stroke(cr);
}

static void mk_survey_page_end(cairo_t *cr, unsigned pageno)
{
	char num[32];

	mk_text(cr, MK_MARGIN, 32, 8, MK_RUNNING);
	snprintf(num, sizeof(num), "- %u -", pageno);
	mk_text(cr, MK_PAGE_W / 2 - 12, MK_PAGE_H - 36, 9, num);
	cairo_show_page(cr);
}

/* The cells of a list: items joined by a space. */
static void mk_join(char *buf, size_t size, const char *const *items, size_t n)
{
	buf[0] = '\0';
	for (size_t i = 0; i < n && items[i]; i++) {
		if (i)
			strncat(buf, " ", size - strlen(buf) - 1);
		strncat(buf, items[i], size - strlen(buf) - 1);
	}
}

static int mkpdf_survey(const char *path, const char *txtpath)
{
	static const double col[] = { 60, 88, 200, 372, MK_PAGE_W - MK_MARGIN };
	static const double tcol[] = { MK_MARGIN, 136, 276, 416, MK_PAGE_W - MK_MARGIN };
	const size_t ncase = sizeof(mk_survey) / sizeof(mk_survey[0]);
	const double colw = (MK_PAGE_W - 2 * MK_MARGIN - 10) / 2;
	cairo_surface_t *sf;
	cairo_t *cr;
	FILE *tx;
	char buf[1024], num[32];
	unsigned pageno = 1;
	double y;

	cr = mk_open(path, &sf);
	if (!cr)
		return -1;
	tx = fopen(txtpath, "w");
	if (!tx) {
		perror(txtpath);
		mk_close(cr, sf, path);
		return -1;
	}
	/* page 1: the title and the case list */
	mk_text(cr, MK_MARGIN, 90, 15, "2030年度 重要インフラ事例の補完調査");
	mk_text(cr, MK_MARGIN, 118, 10, "サンプル調査協議会");
	mk_text(cr, MK_MARGIN, 150, 12, "補完調査の対象事例一覧");
	fprintf(tx, "2030年度 重要インフラ事例の補完調査\n\nサンプル調査協議会\n\n"
		"補完調査の対象事例一覧\n\n");
	y = 178;
	mk_text(cr, col[0], y, 9, "No");
	mk_text(cr, col[1], y, 9, "事例");
	mk_text(cr, col[2], y, 9, "事例の概要");
	mk_text(cr, col[3], y, 9, "主な気付き・教訓");
	fprintf(tx, "No\t事例\t事例の概要\t主な気付き・教訓\n");
	mk_rule(cr, col[0] - 4, y + 5, col[4], y + 5);
	y += 20;
	for (size_t c = 0; c < ncase; c++) {
		const struct mk_scase *k = &mk_survey[c];
		int h = 1, n;
		double ly = y + 18;

		mk_text(cr, col[0], y, 9, k->cat);
		fprintf(tx, "%s\t\t\t\n", k->cat);
		mk_rule(cr, col[0] - 4, y + 5, col[4], y + 5);
		snprintf(num, sizeof(num), "%zu", c + 1);
		mk_text(cr, col[0], ly, 9, num);
		n = mk_wrapped(cr, col[1], ly, 9, 13, k->title, 11);
		h = n > h ? n : h;
		n = 0;
		for (size_t i = 0; i < 3 && k->summary[i]; i++)
			n += mk_wrapped(cr, col[2], ly + n * 13, 9, 13, k->summary[i], 17);
		h = n > h ? n : h;
		n = 0;
		for (size_t i = 0; i < 3 && k->lessons[i]; i++)
			n += mk_wrapped(cr, col[3], ly + n * 13, 9, 13, k->lessons[i], 17);
		h = n > h ? n : h;
		fprintf(tx, "%zu\t%s\t", c + 1, k->title);
		mk_join(buf, sizeof(buf), k->summary, 3);
		fprintf(tx, "%s\t", buf);
		mk_join(buf, sizeof(buf), k->lessons, 3);
		fprintf(tx, "%s\n", buf);
		y = ly + h * 13 + 4;
		mk_rule(cr, col[0] - 4, y - 8, col[4], y - 8);
		y += 12;
	}
	for (int i = 1; i < 4; i++)
		mk_rule(cr, col[i] - 5, 166, col[i] - 5, y - 20);
	fprintf(tx, "\n");
	mk_survey_page_end(cr, pageno++);
	/* each case: its overview page, then its page in two columns */
	for (size_t c = 0; c < ncase; c++) {
		const struct mk_scase *k = &mk_survey[c];
		int rows = 0;

		snprintf(buf, sizeof(buf), "事例%zu %s 1/2", c + 1, k->title);
		mk_text(cr, MK_MARGIN, 90, 14, buf);
		fprintf(tx, "%s\n\n", buf);
		for (size_t i = 0; i < 3 && k->summary[i]; i++) {
			mk_text(cr, MK_MARGIN, 120 + i * 16.0, 10, k->summary[i]);
			fprintf(tx, "%s\n", k->summary[i]);
		}
		fprintf(tx, "\n");
		/* a flow chart: boxes with short labels, which are not the case's text */
		for (int b = 0; b < 2; b++) {
			cairo_rectangle(cr, 130 + b * 200, 200, 110, 40);
			cairo_set_line_width(cr, 0.8);
			cairo_stroke(cr);
			mk_text(cr, 160 + b * 200, 224, 10, b ? "予備系" : "本番系");
		}
		mk_rule(cr, 240, 220, 330, 220);
		mk_text(cr, 250, 260, 9, c ? "（対処1）切離し" : "（対処1）切替");
		mk_survey_page_end(cr, pageno++);
		snprintf(buf, sizeof(buf), "事例%zu %s 2/2", c + 1, k->title);
		mk_text(cr, MK_MARGIN, 90, 14, buf);
		fprintf(tx, "%s\n\n", buf);
		for (int side = 0; side < 2 && c == 1; side++) {
			const char *const *l = side ? k->right : k->left;

			/* side heads: each section's heading beside its body */
			for (int i = 0; i < 10 && l[i]; i++) {
				int n = 0;

				int h = i;

				fprintf(tx, "%s\n", l[i] + 1);
				for (i++; i < 10 && l[i] && l[i][0] == '-'; i++) {
					n += mk_wrapped(cr, MK_MARGIN + 170, 122 + (rows + n) * 15.0, 10, 15,
							l[i] + 1, 20);
					fprintf(tx, "%s\n", l[i] + 1);
				}
				/* the heading in the middle of its body's height */
				mk_text(cr, MK_MARGIN, 122 + (rows + (n - 1) / 2.0) * 15.0, 11, l[h] + 1);
				i--;
				rows += n + 1;
			}
		}
		for (int side = 0; side < 2 && c != 1; side++) {
			const char *const *l = side ? k->right : k->left;
			int i;
			int n = 0;

			/* a bullet wraps at the column's width (the text has it on one line) */
			for (i = 0; i < 10 && l[i]; i++) {
				cairo_set_font_size(cr, 10);
				n += mk_wrapped(cr, MK_MARGIN + side * (colw + 10), 122 + n * 15.0, 10, 15,
						l[i] + 1, 23);
				fprintf(tx, "%s\n", l[i] + 1);
			}
			rows = n > rows ? n : rows;
		}
		y = 122 + rows * 15.0 + 30;
		if (c == 0) {
			/* the timeline, one column per role */
			for (int r = 0; r < 4; r++)
				mk_text(cr, tcol[r], y, 9, mk_roles[r]);
			fprintf(tx, "%s\t%s\t%s\t%s\n", mk_roles[0], mk_roles[1], mk_roles[2], mk_roles[3]);
			mk_rule(cr, tcol[0], y + 5, tcol[4], y + 5);
			y += 20;
			for (size_t e = 0; e < sizeof(mk_events) / sizeof(mk_events[0]); e++) {
				int h = 1;

				mk_text(cr, tcol[0], y, 9, mk_events[e][0]);
				for (int r = 1; r < 4; r++) {
					int n = 0;
					char one[256];
					const char *p = mk_events[e][r], *sp;

					/* one bullet a line; a bullet wraps in its cell */
					while (p && *p) {
						sp = strstr(p, " ・");
						snprintf(one, sizeof(one), "%.*s", (int)(sp ? sp - p : (long)strlen(p)), p);
						n += mk_wrapped(cr, tcol[r], y + n * 13, 9, 13, one, 14);
						if (!sp)
							break;
						p = sp + 1;
					}
					h = n > h ? n : h;
				}
				/* the text: one row per event, with its time */
				for (int r = 1; r < 4; r++) {
					const char *p = mk_events[e][r], *sp;

					while (p && *p) {
						sp = strstr(p, " ・");
						fprintf(tx, "%s", mk_events[e][0]);
						for (int d = 1; d < 4; d++)
							fprintf(tx, "\t%.*s", d == r ? (int)(sp ? sp - p : (long)strlen(p)) : 0, p);
						fprintf(tx, "\n");
						if (!sp)
							break;
						p = sp + 1;
					}
				}
				y += h * 13 + 8;
				mk_rule(cr, tcol[0], y - 12, tcol[4], y - 12);
			}
		}
		fprintf(tx, "\n");
		mk_survey_page_end(cr, pageno++);
	}
	if (fclose(tx) != 0) {
		perror(txtpath);
		mk_close(cr, sf, path);
		return -1;
	}
	return mk_close(cr, sf, path);
}

/*
 * A case list of two columns only (事例の概要 | 主な気付き・教訓): category
 * rows across the table, each case's number alone on the first line of its
 * overview cell.  Read row by row, a case's overview comes before its
 * lessons and the next case after both.
 */
static int mkpdf_list2(const char *path)
{
	const size_t ncase = sizeof(mk_survey) / sizeof(mk_survey[0]);
	const double mid = MK_MARGIN + 250;
	cairo_surface_t *sf;
	cairo_t *cr;
	char num[32];
	double y = 130;

	cr = mk_open(path, &sf);
	if (!cr)
		return -1;
	mk_text(cr, MK_MARGIN, 90, 12, "補完調査の対象事例一覧");
	mk_text(cr, MK_MARGIN, y, 9, "事例の概要");
	mk_text(cr, mid, y, 9, "主な気付き・教訓");
	y += 22;
	for (size_t c = 0; c < ncase; c++) {
		const struct mk_scase *k = &mk_survey[c];
		int n = 1, m = 0;

		mk_text(cr, MK_MARGIN, y, 9, k->cat);
		mk_rule(cr, MK_MARGIN - 4, y + 5, MK_PAGE_W - MK_MARGIN, y + 5);
		y += 22;
		snprintf(num, sizeof(num), "%zu", c + 1);
		mk_text(cr, MK_MARGIN, y, 9, num);
		for (size_t i = 0; i < 3 && k->summary[i]; i++)
			n += mk_wrapped(cr, MK_MARGIN, y + n * 13, 9, 13, k->summary[i], 26);
		for (size_t i = 0; i < 3 && k->lessons[i]; i++)
			m += mk_wrapped(cr, mid, y + m * 13, 9, 13, k->lessons[i], 24);
		y += (n > m ? n : m) * 13 + 12;
		mk_rule(cr, MK_MARGIN - 4, y - 10, MK_PAGE_W - MK_MARGIN, y - 10);
	}
	mk_rule(cr, mid - 6, 120, mid - 6, y - 10);
	cairo_show_page(cr);
	return mk_close(cr, sf, path);
}

/*
 * A spread: two pages side by side on one sheet, each in two columns, the
 * lines of all four columns on the same baselines.  Column c's line i reads
 * "列c-i ..." so that a test can see the order.
 */
static int mkpdf_spread(const char *path)
{
	const double w = 1190.55, colw = (w - 4 * MK_MARGIN - 2 * 14) / 4;
	cairo_surface_t *sf;
	cairo_t *cr;
	char line[256];

	sf = cairo_pdf_surface_create(path, w, MK_PAGE_H);
	cr = cairo_create(sf);
	cairo_select_font_face(cr, MK_FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	for (int c = 0; c < 4; c++) {
		double x = MK_MARGIN + (c / 2) * (w / 2) + (c % 2) * (colw + 14);

		for (int i = 0; i < 12; i++) {
			/* "列c-ii" and 12 characters of a bullet: a full line of the column */
			snprintf(line, sizeof(line), "列%d-%02d %.36s", c + 1, i + 1,
				 mk_bullets[(c * 12 + i) % (sizeof(mk_bullets) / sizeof(mk_bullets[0]))] + 3);
			mk_text(cr, x, 100 + i * 15.0, 10, line);
		}
	}
	cairo_show_page(cr);
	return mk_close(cr, sf, path);
}

#ifndef MKPDF_NO_MAIN
int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "report"))
		return mkpdf_report(argv[2]) < 0;
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return mkpdf_bench(argv[2], (unsigned)strtoul(argv[3], NULL, 10)) < 0;
	if (argc == 3 && !strcmp(argv[1], "blank"))
		return mkpdf_blank(argv[2]) < 0;
	if (argc == 3 && !strcmp(argv[1], "scanned"))
		return mkpdf_scanned(argv[2]) < 0;
	if (argc == 3 && !strcmp(argv[1], "spread"))
		return mkpdf_spread(argv[2]) < 0;
	if (argc == 3 && !strcmp(argv[1], "list2"))
		return mkpdf_list2(argv[2]) < 0;
	if (argc == 4 && !strcmp(argv[1], "survey"))
		return mkpdf_survey(argv[2], argv[3]) < 0;
	if ((argc == 3 || argc == 4) && !strcmp(argv[1], "encrypted"))
		return mkpdf_encrypted(argv[2], argc == 4 ? argv[3] : "kyokun") < 0;
	fprintf(stderr, "usage: mkpdf report|blank OUT.pdf | bench OUT.pdf NPAGES |"
		" encrypted OUT.pdf [USERPW] | survey OUT.pdf OUT.txt | list2|spread|scanned OUT.pdf\n");
	return 2;
}
#endif
