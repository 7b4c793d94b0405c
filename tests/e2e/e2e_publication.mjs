// tests/e2e/e2e_publication.mjs - issue 13 in headless Chromium (playwright-core,
// Debian's /usr/bin/chromium), through the pages' own forms:
//
//   node tests/e2e/e2e_publication.mjs http://127.0.0.1:PORT [OUTDIR]
//
// An analyst opens the selection page (/select) and the 総括 page (/themes)
// from the header's links; a publisher opens 報告書 from the header, makes a
// report of TLP:CLEAR cases ticked one by one (/publish -> preview ->
// publish) and lands on it; an anonymous reader then finds it under 報告書,
// reads its case list, a case and the 総括, and opens its PDF.  Every page:
// no script error, no CSP violation, the Japanese page has English with it.
// Needs KYOKUN_E2E_ANALYST, KYOKUN_E2E_PUBLISHER and KYOKUN_E2E_PASSWORD
// (tests/cli/test_e2e.sh).  Screenshots: OUTDIR/publication-NN-*.png.
import fs from 'node:fs';
import path from 'node:path';
import { checks, launch, signin as signinAt, submit } from './lib.mjs';

const base = (process.argv[2] || process.env.KYOKUN_URL || '').replace(/\/$/, '');
const out = process.argv[3] || path.join(process.cwd(), 'test-output', 'e2e');
const chrome = process.env.CHROMIUM || '/usr/bin/chromium';
const analyst = process.env.KYOKUN_E2E_ANALYST, publisher = process.env.KYOKUN_E2E_PUBLISHER;
const password = process.env.KYOKUN_E2E_PASSWORD;
if (!base || !analyst || !publisher || !password) {
	console.error('usage: KYOKUN_E2E_{ANALYST,PUBLISHER,PASSWORD}=... node e2e_publication.mjs URL [OUTDIR]');
	process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

const t = checks('e2e publication');
const { ok, notok, check } = t;
const browser = await launch(chrome, 'e2e publication');

const csp = [];
async function person() {
	const ctx = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 900 } });
	const page = await ctx.newPage();
	page.setDefaultTimeout(20000);
	page.on('pageerror', (e) => notok('no script error', String(e)));
	page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) csp.push(m.text()); });
	return { ctx, page };
}
let nshot = 0;
const shot = async (page, name) => {
	nshot++;
	await page.screenshot({ path: path.join(out, `publication-${String(nshot).padStart(2, '0')}-${name}.png`), fullPage: true });
};
const signin = (page, login) => signinAt(page, base, login, password);
// A header link by its href, clicked like a person would.
async function follow(page, href) {
	const a = page.locator(`header a[href^="${href}"], .account a[href^="${href}"], nav a[href^="${href}"]`).first();
	if (!(await a.count())) return false;
	await Promise.all([page.waitForNavigation(), a.click()]);
	return true;
}

const title = `E2E 事例集 ${Date.now() % 100000}`;
let reportUrl = '';

try {
	// ---- 1. the analyst: selection and 総括 from the header ----
	const ana = await person();
	let page = ana.page;
	await signin(page, analyst);
	check('analyst: the header links to the selection', await follow(page, '/select'));
	await page.goto(`${base}/select?period=2026`);
	check('analyst: /select shows the criteria', (await page.content()).includes('得られる気付き・教訓の有用性'));
	check('analyst: /select has English with the Japanese', (await page.content()).includes('Selection'));
	await shot(page, 'select');
	check('analyst: the header links to the 総括', await follow(page, '/themes'));
	check('analyst: /themes (200)', page.url().includes('/themes') && (await page.locator('h1').innerText()).includes('総括'));
	await shot(page, 'themes');
	await ana.ctx.close();

	// ---- 2. the publisher: 報告書 -> 報告書を作る -> preview -> publish ----
	const pub = await person();
	page = pub.page;
	await signin(page, publisher);
	check('publisher: 報告書 in the header goes to /reports', await follow(page, '/reports') && page.url().includes('/reports'));
	const make = page.locator('a[href$="/publish"], a[href*="/publish?"]').first();
	check('publisher: /reports offers to make a report', await make.count() > 0);
	await Promise.all([page.waitForNavigation(), make.click()]);
	await page.check('input[name="source"][value="select"]');
	// tick TLP:CLEAR cases only, so the report is for everyone
	const rows = page.locator('tr:has(input[name="ids"])');
	let ticked = 0;
	for (let i = 0; i < (await rows.count()) && ticked < 3; i++) {
		const row = rows.nth(i);
		if (/CLEAR/i.test(await row.innerText())) {
			await row.locator('input[name="ids"]').check();
			ticked++;
		}
	}
	check('publisher: three TLP:CLEAR cases ticked', ticked === 3, `ticked ${ticked}`);
	await page.fill('#f-title', title);
	await page.locator('#f-tlp').selectOption('clear');
	await shot(page, 'publish-form');
	await submit(page, page.locator('form button[type="submit"]', { hasText: 'プレビュー' }).first());
	check('publisher: the preview says it is not published yet', await page.locator('.preview-bar').isVisible());
	check('publisher: the preview shows the case list', await page.locator('.pr-case-table').first().isVisible());
	await shot(page, 'preview');
	await submit(page, page.locator('form.publish-confirm button[type="submit"]'));
	reportUrl = page.url();
	check('publisher: published, on to /reports/NAME', /\/reports\/[^/]+$/.test(new URL(reportUrl).pathname), reportUrl);
	await pub.ctx.close();

	// ---- 3. an anonymous reader ----
	const anon = await person();
	page = anon.page;
	await page.goto(`${base}/`);
	check('reader: 報告書 in the header goes to /reports', await follow(page, '/reports'));
	const link = page.locator('a', { hasText: title }).first();
	check('reader: the report is listed under 報告書', await link.count() > 0);
	check('reader: the imported reports are there too', (await page.locator('#imported').count()) === 1);
	await shot(page, 'reports');
	await Promise.all([page.waitForNavigation(), link.click()]);
	check('reader: the report page has its title', (await page.locator('h1').first().innerText()).includes('E2E 事例集'));
	const rows2 = await page.locator('.pr-case-table tbody tr').count();
	check('reader: the case list has the three cases', rows2 === 3, `rows ${rows2}`);
	check('reader: the 総括 is there', (await page.content()).includes('総括'));
	await shot(page, 'report');
	const caseLink = page.locator('.pr-case-table a').first();
	await Promise.all([page.waitForNavigation(), caseLink.click()]);
	check('reader: a case of the report opens', (await page.locator('h1, h2').first().innerText()).length > 0);
	await shot(page, 'report-case');
	const pdf = await page.request.get(`${reportUrl}/report.pdf`);
	const head = (await pdf.body()).subarray(0, 5).toString();
	check('reader: the report PDF (200, %PDF)', pdf.status() === 200 && head === '%PDF-', `${pdf.status()} ${head}`);
	await anon.ctx.close();
	check('no CSP violation on any page', csp.length === 0, csp.join('\n'));
} catch (e) {
	notok('the walk-through finished', e.stack || e);
} finally {
	await browser.close();
}
process.exit(t.failed ? 1 : 0);
