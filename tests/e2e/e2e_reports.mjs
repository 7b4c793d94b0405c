// tests/e2e/e2e_reports.mjs - issue 12 end to end in headless Chromium
// (playwright-core, Debian's /usr/bin/chromium), every step through the
// pages' own forms:
//
//   node tests/e2e/e2e_reports.mjs http://127.0.0.1:PORT [OUTDIR]
//
// A reporter signs in, files a first report (第一報) and a follow-up (続報);
// an analyst finds the incident in the desk (/incidents), changes its
// status, marks it a case-study candidate, makes a case draft and edits a
// section and asks the reporting organisation to approve it; the reporter
// approves it on the approval page (issue 13); a publisher publishes the draft; an anonymous reader then finds
// the case by search (it was filed TLP:CLEAR), and did not before.  Each
// person has their own browser context (their own cookies).  Needs
// KYOKUN_E2E_REPORTER, KYOKUN_E2E_ANALYST, KYOKUN_E2E_PUBLISHER and
// KYOKUN_E2E_PASSWORD (tests/cli/test_e2e.sh sets them up).  Screenshots go
// to OUTDIR (default test-output/e2e) as reports-NN-*.png.  Prints one
// "ok - " / "not ok - " line per check.
import fs from 'node:fs';
import path from 'node:path';
import { checks, launch, signin as signinAt, submit } from './lib.mjs';

const base = (process.argv[2] || process.env.KYOKUN_URL || '').replace(/\/$/, '');
const out = process.argv[3] || path.join(process.cwd(), 'test-output', 'e2e');
const chrome = process.env.CHROMIUM || '/usr/bin/chromium';
const reporter = process.env.KYOKUN_E2E_REPORTER, analyst = process.env.KYOKUN_E2E_ANALYST;
const publisher = process.env.KYOKUN_E2E_PUBLISHER, password = process.env.KYOKUN_E2E_PASSWORD;
if (!base || !reporter || !analyst || !publisher || !password) {
	console.error('usage: KYOKUN_E2E_{REPORTER,ANALYST,PUBLISHER,PASSWORD}=... node e2e_reports.mjs URL [OUTDIR]');
	process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

const t = checks('e2e reports');
const { ok, notok, check } = t;
const browser = await launch(chrome, 'e2e reports');

// A person at a browser: their own context (cookies), a page, screenshots.
async function person() {
	const ctx = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(20000);
	page.on('dialog', (d) => { notok('no dialog opens', d.message()); d.dismiss().catch(() => {}); });
	page.on('pageerror', (e) => notok('no script error', String(e)));
	return { ctx, page };
}
let nshot = 0;
const shot = async (page, name) => {
	nshot++;
	await page.screenshot({ path: path.join(out, `reports-${String(nshot).padStart(2, '0')}-${name}.png`), fullPage: true });
};
async function signin(page, login) {
	await signinAt(page, base, login, password);
	check(`${login} signs in`, (await page.locator('.who-name, .account').first().innerText()).length > 0);
}

// A word no fixture has, so the search finds this case alone.
const word = `灯台監視${Date.now() % 100000}`;
const title = `${word}：配電制御端末への不正ログイン`;
let incident = '', draft = '';

try {
	// ---- 1. the reporter files a first report and a follow-up ----
	const rep = await person();
	let page = rep.page;
	await signin(page, reporter);
	await page.goto(`${base}/incidents/new`);
	check('the first report form is there', await page.locator('form.incident-form').isVisible());
	await page.fill('#f-title', title);
	const sector = page.locator('#f-sector');
	if (await sector.count()) {
		const values = await sector.locator('option').evaluateAll((os) => os.map((o) => o.value).filter((v) => v));
		await sector.selectOption(values.includes('electricity') ? 'electricity' : values[0]);
	}
	await page.fill('#f-contact_name', '報告 花子');
	await page.fill('#f-contact_email', 'soc@a-denryoku.example');
	await page.fill('#f-detected_date', '2026-11-20');
	await page.fill('#f-detected_time', '09:30');
	await page.check('input[name="event_types"][value="intrusion"]');
	await page.check('input[name="service_affected"][value="no"]');
	await page.fill('#f-description', `${word}。配電制御端末に深夜帯の不審なログインを検知した。`);
	await page.fill('#f-actions', '当該端末をネットワークから隔離した。');
	await page.locator('#f-tlp').selectOption('clear');
	await shot(page, 'first-report-form');
	await submit(page, page.locator('form.incident-form button[type="submit"]'));
	const m = page.url().match(/\/incidents\/([^/?#]+)/);
	incident = m ? m[1] : '';
	check('the first report is filed (on to the incident page)', incident && incident !== 'new', page.url());
	check('the incident page shows the title', (await page.locator('h1').innerText()).includes(word));
	await page.locator('form.update-form').scrollIntoViewIfNeeded();
	const kind = page.locator('input[name="kind"][value="followup"]');
	if (await kind.count()) await kind.check();
	await page.fill('#f-at_date', '2026-11-21');
	await page.fill('#f-at_time', '15:00');
	await page.fill('#f-text', '続報：不審ログインは保守用共用アカウントによるものと判明した。');
	await page.fill('#f-response', '共用アカウントを停止し、全端末のパスワードを変更した。');
	await submit(page, page.locator('form.update-form button[type="submit"]'));
	const body = await page.locator('main').innerText();
	check('the follow-up is on the incident page', body.includes('保守用共用アカウント'), page.url());
	check('... after the first report (第一報, then 続報)', body.indexOf('第一報') >= 0 && body.indexOf('続報') > body.indexOf('第一報'));
	await shot(page, 'incident-reporter');
	await rep.ctx.close();

	// ---- 2. the analyst: the desk, status, candidate, a draft, a section edited ----
	const ana = await person();
	page = ana.page;
	await signin(page, analyst);
	await page.goto(`${base}/incidents`);
	const link = page.locator(`a[href*="/incidents/${incident}"]`).first();
	check('the analyst finds the incident in the desk', await link.isVisible());
	await shot(page, 'desk');
	await submit(page, link);
	check('... and opens it', page.url().includes(`/incidents/${incident}`), page.url());
	await submit(page, page.locator('form.status-form button[name="action"][value="check"]'));
	check('the analyst changes its status to 確認中', await page.locator('.inc-status.st-checking').first().isVisible() &&
		(await page.locator('.status-history').innerText()).includes('確認中'));
	await submit(page, page.locator(`form[action*="/incidents/${incident}/candidate"] button`));
	const candBox = await page.locator(`form[action*="/incidents/${incident}/candidate"] input[name="on"]`).getAttribute('value');
	check('... marks it a case-study candidate', candBox === '0', `on=${candBox}`);
	await shot(page, 'incident-analyst');
	await submit(page, page.locator(`form[action*="/incidents/${incident}/draft"] button`));
	const dm = page.url().match(/\/drafts\/([^/?#]+)\/edit/);
	draft = dm ? dm[1] : '';
	check('... makes a case draft (on to its editor)', !!draft, page.url());
	check('the editor has the pre-filled sections', (await page.inputValue('#f-sec-background')).length > 0);
	await page.fill('#f-sec-lessons', `共用アカウントの棚卸しと多要素認証が、${word}の教訓である。`);
	await shot(page, 'editor');
	await submit(page, page.locator('form.edit-form button[type="submit"]'));
	check('the section is saved (on to the draft)', page.url().includes(`/drafts/${draft}`) && page.url().includes('done=saved'), page.url());
	check('... with the draft banner', await page.locator('.draft-banner').first().isVisible());
	check('... and the new lessons', (await page.locator('#sec-lessons').innerText()).includes('多要素認証'));
	await shot(page, 'draft');
	await page.goto(`${base}/drafts/${draft}/history`);
	const rows = await page.locator('table.history tbody tr').count();
	check('the history has two revisions', rows === 2, `${rows} rows`);
	check('... by whom', (await page.locator('table.history tbody tr').first().innerText()).includes(analyst));
	check('... when, in JST', (await page.locator('table.history tbody tr').first().innerText()).includes(' JST'));
	await shot(page, 'history');
	await submit(page, page.locator('form.diff-form button[type="submit"]'));
	check('the diff marks the lessons added', (await page.locator('.diff-add ins').allInnerTexts()).some((t) => t.includes('多要素認証')));
	await shot(page, 'diff');
	// issue 13: the analyst asks the reporting organisation to approve the draft
	await page.goto(`${base}/drafts/${draft}`);
	await submit(page, page.locator('form.request-form button[type="submit"]').first());
	check('the analyst asks the organisation to approve (on to the approval page)', page.url().includes(`/drafts/${draft}/approval`), page.url());

	// issue 14 (h-cite): the import review of a document (tests/fixtures/cite/review.json)
	const rvResp = await page.goto(`${base}/documents/rv-doc.txt/review`);
	check('the analyst opens the import review', rvResp.status() === 200, rvResp.status());
	check('... doubtful blocks are highlighted', (await page.locator('#c-rv-1 .review-block.doubtful').count()) === 2);
	await shot(page, 'import-review');
	const blk = page.locator('#c-rv-1 .review-block').nth(1);
	await blk.locator('select[name="to"]').selectOption('response');
	await submit(page, blk.locator('form.review-move button[type="submit"]'));
	check('... a block moved with one click (a notice)', await page.locator('.notice-done').isVisible());
	check('... and now marked reviewed', (await page.locator('#c-rv-1 .review-block').nth(1).innerText()).includes('reviewed'));
	await page.goto(`${base}/cases/rv-1`);
	check('... the block is in its new section', (await page.locator('#sec-response').innerText()).includes('予備機を借りて'));
	check('the case page cites its report', (await page.locator('.citation').innerText()).includes('架空の倉庫障害に関する確認報告書'));
	await shot(page, 'case-citation');
	await ana.ctx.close();

	// ---- 2b. the reporter's organisation approves the anonymised draft ----
	const rep2 = await person();
	page = rep2.page;
	await signin(page, reporter);
	await page.goto(`${base}/drafts/${draft}/approval`);
	check('the reporter sees the draft as it would be published', (await page.locator('main').innerText()).includes('公開される内容'));
	check('... and what changed since the report', (await page.locator('.approval-changes ins').allInnerTexts()).some((t) => t.includes('多要素認証')));
	await shot(page, 'approval');
	await submit(page, page.locator('form.approve-form button[type="submit"]'));
	check('the reporter approves the current revision', (await page.locator('.notice-done').innerText()).includes('承認しました'));
	await rep2.ctx.close();

	// before publication an anonymous reader finds nothing
	const anon = await person();
	page = anon.page;
	await page.goto(`${base}/search?q=${encodeURIComponent(word)}`);
	check('before publication an anonymous search finds nothing', (await page.locator(`a[href*="/cases/${draft}"]`).count()) === 0);
	let resp = await page.goto(`${base}/drafts/${draft}`);
	check('... and the draft is 404 to them', resp && resp.status() === 404, resp && resp.status());

	// ---- 3. the publisher publishes ----
	const pub = await person();
	page = pub.page;
	await signin(page, publisher);
	await page.goto(`${base}/drafts`);
	check('the publisher sees the draft in the drafts list', await page.locator(`a[href*="/drafts/${draft}"]`).first().isVisible());
	await page.goto(`${base}/drafts/${draft}`);
	await shot(page, 'draft-publisher');
	await submit(page, page.locator('form.publish-form button[type="submit"]'));
	check('the publisher publishes (on to the case)', page.url().includes(`/cases/${draft}`), page.url());
	check('... with a notice', (await page.locator('.notice-done').innerText()).includes('公開しました'));
	await shot(page, 'published');
	await pub.ctx.close();

	// ---- 4. an anonymous reader finds it by search ----
	page = anon.page;
	await page.goto(`${base}/search?q=${encodeURIComponent(word)}`);
	const hit = page.locator(`a[href*="/cases/${draft}"]`).first();
	check('an anonymous reader finds the TLP:CLEAR case by search', await hit.isVisible());
	await shot(page, 'search-anonymous');
	await submit(page, hit);
	check('... and reads it', (await page.locator('h1').innerText()).includes(word));
	check('... with the lessons the analyst wrote', (await page.locator('#sec-lessons').innerText()).includes('多要素認証'));
	resp = await page.goto(`${base}/cases/${draft}/history`);
	check('... its history without the draft revisions', resp.status() === 200 && (await page.locator('.draft-chip').count()) === 0);
	await anon.ctx.close();
} catch (e) {
	notok('the walk-through ran to its end', e.stack || e);
} finally {
	await browser.close();
}
process.exit(t.failed ? 1 : 0);
