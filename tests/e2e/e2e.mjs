// tests/e2e/e2e.mjs - kyokun's web application in a real browser: Debian's
// headless Chromium driven by playwright-core.
//
//   node tests/e2e/e2e.mjs http://127.0.0.1:PORT [OUTDIR]
//
// Walks search -> a case -> a similar case -> English, checks what a reader
// sees at each step (and that no script runs from case text, no CSP
// violation happens), and saves screenshots in OUTDIR (default
// test-output/e2e).  Prints one "ok - " / "not ok - " line per check.
// With KYOKUN_E2E_LOGIN and KYOKUN_E2E_PASSWORD (a reporter of A電力, as
// tests/cli/test_e2e.sh sets up), it signs in through the form, sees A's
// amber case and not B's, and signs out; with KYOKUN_E2E_ADMIN too, an
// admin opens the users page.
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const base = (process.argv[2] || process.env.KYOKUN_URL || '').replace(/\/$/, '');
const out = process.argv[3] || path.join(process.cwd(), 'test-output', 'e2e');
const chrome = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base) {
	console.error('usage: node e2e.mjs URL [OUTDIR]');
	process.exit(2);
}
fs.mkdirSync(out, { recursive: true });

let failed = 0;
const ok = (name) => console.log(`ok - e2e: ${name}`);
const notok = (name, why) => {
	failed++;
	console.log(`not ok - e2e: ${name}`);
	if (why) console.log(`  ${String(why).split('\n').slice(0, 6).join('\n  ')}`);
};
const check = (name, cond, why) => (cond ? ok(name) : notok(name, why));

const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kyokun-e2e-'));
let ctx;
try {
	ctx = await chromium.launchPersistentContext(userDataDir, {
		executablePath: chrome,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
			'--disable-background-networking', '--disable-component-update', '--disable-sync'],
		locale: 'ja-JP',
		viewport: { width: 1280, height: 900 },
		timeout: 60000,
	});
} catch (e) {
	console.log(`skip - e2e: cannot start ${chrome}: ${String(e.message).split('\n')[0]}`);
	fs.rmSync(userDataDir, { recursive: true, force: true });
	process.exit(0);
}

const page = ctx.pages()[0] || await ctx.newPage();
page.setDefaultTimeout(20000);
const dialogs = [];
const cspViolations = [];
const pageErrors = [];
page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
page.on('console', (m) => {
	if (m.type() === 'error' && /Content Security Policy|Refused to/.test(m.text())) cspViolations.push(m.text());
});
page.on('pageerror', (e) => pageErrors.push(String(e)));
const shot = async (name, opts = {}) => {
	const file = path.join(out, `${name}.png`);
	await page.screenshot({ path: file, fullPage: true, ...opts });
	return file;
};

try {
	// 1. the home page, in Japanese (the browser asks for ja)
	let resp = await page.goto(`${base}/`);
	check('home page loads', resp && resp.status() === 200, resp && resp.status());
	check('home page is Japanese', (await page.getAttribute('html', 'lang')) === 'ja');
	check('home page has a search box', await page.locator('form.hero-search input[name="q"]').isVisible());
	check('home page lists recent cases', (await page.locator('.case-list li').count()) > 0);
	await shot('01-home');

	// 1b. paste an incident (issue 16): the box on the home page, a plain POST form that works with
	// kyokun.js blocked, and a results page with the shared words and the matched sections
	check('home page has the paste box', await page.locator('form.paste-box textarea[name="text"]').isVisible());
	check('the paste box has the filters', (await page.locator('form.paste-box select').count()) === 4);
	await page.route('**/*.js', (r) => r.abort());
	await page.reload();
	await page.fill('form.paste-box textarea[name="text"]',
		'運行管理システムのストレージ装置が故障し、待機系への切り替えもうまくいかず、列車の運行管理が半日止まった。');
	await Promise.all([page.waitForURL(/\/similar$/), page.click('form.paste-box button[type="submit"]')]);
	const simHits = page.locator('ol.similar-results > li');
	check('paste: results without JavaScript', (await simHits.count()) > 0, `${await simHits.count()} results`);
	if (await simHits.count()) {
		const t0 = (await simHits.first().locator('a.title').innerText()).trim();
		check('paste: the storage failover case comes first', t0.includes('待機系') || t0.includes('予備系'), t0);
		check('paste: the shared words are marked', (await simHits.first().locator('.shared mark').count()) > 0);
		check('paste: the matched sections are named', (await simHits.first().locator('.where li').count()) > 0);
	}
	check('paste: the text stays in the box', (await page.inputValue('form.paste-box textarea')).includes('待機系'));
	await shot('01b-paste-results');
	await page.unroute('**/*.js');

	// 2. search (the example cases when they are loaded, else our fixtures)
	const hits = page.locator('ol.results > li');
	let nhits = 0;
	for (const q of ['VPN 脆弱性', 'ランサムウェア']) {
		await page.goto(`${base}/`);
		await page.fill('form.hero-search input[name="q"]', q);
		await Promise.all([page.waitForURL(/\/search\?/), page.press('form.hero-search input[name="q"]', 'Enter')]);
		nhits = await hits.count();
		if (nhits > 0) break;
	}
	check('search shows results', nhits > 0, `${nhits} results`);
	check('search highlights the words', (await page.locator('ol.results mark').count()) > 0);
	check('search shows facet counts', (await page.locator('.facets .facet a').count()) > 0);
	check('search results name the sections matched', (await page.locator('ol.results .where .field').count()) > 0);
	await shot('02-search');
	const searchUrl = page.url();

	// a facet narrows the search
	const facet = page.locator('.facets .facet a').first();
	const facetHref = await facet.getAttribute('href');
	await Promise.all([page.waitForURL((u) => u.href.includes(facetHref.split('?')[1].split('&').pop())), facet.click()]);
	check('a facet link narrows the search', (await page.locator('.filters .chip').count()) > 0);
	await page.goBack();

	// 3. open the first case
	const firstTitle = (await hits.first().locator('a.title').innerText()).trim();
	await Promise.all([page.waitForURL(/\/cases\//), hits.first().locator('a.title').click()]);
	const h1 = (await page.locator('.case-head h1').innerText()).trim();
	check('the case opens with its title', h1 === firstTitle, `${h1} vs ${firstTitle}`);
	check('the case shows its sections', (await page.locator('section.case-section h2').count()) >= 3);
	check('the case shows the overview', await page.locator('#overview').isVisible());
	// opened from a search: the words marked, scrolled to the first, a note to remove them
	check('the case opened from a search marks the words', (await page.locator('article mark').count()) > 0 &&
		new URL(page.url()).hash === '#match-1' && (await page.locator('mark#match-1').count()) === 1, page.url());
	check('the first mark is in view', await page.locator('mark#match-1').isVisible() &&
		(await page.evaluate(() => { const r = document.getElementById('match-1').getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; })));
	check('a note says what is highlighted, with a link to remove it', await page.locator('.hl-note a').isVisible());
	const tl = await page.locator('table.timeline').count();
	check('the case shows a timeline table', tl === 1);
	check('the print button is enabled by the script', await page.locator('[data-action="print"]').isVisible());
	await shot('03-case');
	// the print stylesheet: no header, no sidebar
	await page.emulateMedia({ media: 'print' });
	check('print: no site header', !(await page.locator('.site-header').isVisible()));
	check('print: no sidebar', !(await page.locator('.case-side').isVisible()));
	await shot('03-case-print');
	await page.pdf({ path: path.join(out, '03-case.pdf'), format: 'A4', printBackground: false });
	await page.emulateMedia({ media: 'screen' });

	// 4. a similar case
	const similar = page.locator('ol.similar li a').first();
	const nsim = await page.locator('ol.similar li a').count();
	check('the case lists similar cases', nsim > 0, `${nsim}`);
	if (nsim > 0) {
		const simTitle = (await similar.innerText()).trim();
		const before = page.url();
		await Promise.all([page.waitForURL((u) => u.href !== before), similar.click()]);
		const h1b = (await page.locator('.case-head h1').innerText()).trim();
		check('the similar case opens', h1b === simTitle && h1b !== h1, `${h1b} vs ${simTitle}`);
		await shot('04-similar-case');
	}

	// 5. switch to English
	const caseUrl = new URL(page.url());
	await Promise.all([page.waitForURL(/lang=en/), page.click('a.lang-switch')]);
	const en = new URL(page.url());
	check('English: same page', en.pathname === caseUrl.pathname, `${en.pathname} vs ${caseUrl.pathname}`);
	check('English: html lang', (await page.getAttribute('html', 'lang')) === 'en');
	check('English: headings in English', (await page.locator('h2', { hasText: 'Similar cases' }).count()) === 1);
	check('English: links keep the language', (await page.locator('a.lang-switch').getAttribute('href')).includes('lang=ja'));
	await shot('05-case-english');
	// and the search in English keeps it
	await page.fill('header input[name="q"]', 'バックアップ');
	await Promise.all([page.waitForURL(/\/search\?/), page.press('header input[name="q"]', 'Enter')]);
	check('English: the search keeps the language', (await page.getAttribute('html', 'lang')) === 'en' &&
		page.url().includes('lang=en'), page.url());
	await shot('06-search-english');

	// 6. a narrow screen
	await page.setViewportSize({ width: 390, height: 844 });
	await page.goto(caseUrl.href);
	const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
	check('mobile: no sideways scrolling of the page', overflow <= 1, `${overflow}px wider`);
	await shot('07-case-mobile');
	// issue 16: the case's contents before the article on a phone, the filters' control above the results
	const tocTop = page.locator('details.toc-top');
	check('mobile: the case\'s contents come before the article\'s sections', await tocTop.isVisible() &&
		(await tocTop.boundingBox()).y < (await page.locator('section.case-section').first().boundingBox()).y);
	await page.goto(searchUrl);
	const jump = page.locator('a.filters-jump');
	const firstHit = page.locator('ol.results > li').first();
	check('mobile: the filters\' control is above the first result', await jump.isVisible() &&
		(await jump.boundingBox()).y < (await firstHit.boundingBox()).y);
	await Promise.all([page.waitForURL(/#filters$/), jump.click()]);
	check('mobile: the control leads to the filters', await page.locator('#filters .facet').first().isVisible());
	await shot('07-search-mobile');
	// a wide timeline (five roles, long unbroken cells; tests/fixtures/web/wide.json): the page keeps
	// the screen's width; on a phone each row reflows, each cell under its role's name, nothing out
	// of sight sideways; on a desktop a table wider than its box scrolls inside it, a shadow at the edge
	const wideUrl = `${base}/cases/web-wide-timeline`;
	const timelineFit = () => page.evaluate(() => {
		const box = document.querySelector('#timeline .table-scroll');
		const cell = document.querySelector('#timeline td[data-role]');
		return {
			over: document.documentElement.scrollWidth - window.innerWidth,
			hidden: box ? box.scrollWidth - box.clientWidth : -1,
			right: box ? box.getBoundingClientRect().right - window.innerWidth : 1e6,
			scroll: box ? getComputedStyle(box).overflowX : '',
			cue: box ? getComputedStyle(box).backgroundImage : '',
			label: cell ? getComputedStyle(cell, '::before').content : '',
		};
	});
	resp = await page.goto(wideUrl);
	if (resp && resp.status() === 200) {
		let fit = await timelineFit();
		check('mobile: a wide timeline keeps the page to the screen\'s width', fit.over <= 1, `${fit.over}px wider`);
		check('mobile: a wide timeline reflows: nothing out of sight sideways', fit.hidden === 0 && fit.right <= 1,
			`${fit.hidden}px hidden in its box, its box ${fit.right}px past the screen`);
		check('mobile: each cell of the timeline under its role\'s name', fit.label.includes('経営'), fit.label);
		await page.locator('#timeline').scrollIntoViewIfNeeded();
		await shot('07-timeline-mobile', { fullPage: false });
		await page.setViewportSize({ width: 1280, height: 900 });
		await page.goto(wideUrl);
		fit = await timelineFit();
		check('desktop: a wide timeline keeps the page to the window\'s width', fit.over <= 1 && fit.right <= 1,
			`${fit.over}px wider, its box ${fit.right}px past the window`);
		check('desktop: the timeline scrolls in its own box, with a shadow for a cue',
			fit.scroll === 'auto' && /gradient/.test(fit.cue), `${fit.scroll} ${fit.cue.slice(0, 80)}`);
		await page.locator('#timeline').scrollIntoViewIfNeeded();
		await shot('07-timeline-desktop', { fullPage: false });
	} else {
		notok('the wide timeline\'s case loads', resp && resp.status());
	}
	await page.setViewportSize({ width: 1280, height: 900 });

	// issue 16: tick two results and compare them side by side (a GET form, no script needed)
	await page.goto(searchUrl);
	const picks = page.locator('ol.results > li input.pick');
	if ((await picks.count()) >= 2) {
		await picks.nth(0).check();
		await picks.nth(1).check();
		await Promise.all([page.waitForURL(/\/compare\?/), page.click('form#compare button[type="submit"]')]);
		check('compare: two chosen cases side by side', (await page.locator('table.compare thead th').count()) === 3);
		check('compare: a row per section', (await page.locator('table.compare tbody th').count()) >= 4);
		await shot('07-compare');
	}

	// 7. hostile text stays text
	resp = await page.goto(`${base}/cases/web-hostile-1`);
	if (resp && resp.status() === 200) {
		const t = await page.locator('.case-head h1').innerText();
		check('hostile title shown as text', t.includes('<script>alert("kyokun-xss")</script>'), t);
		check('hostile case: no injected element', (await page.locator('.case img, .case iframe, .case svg, .case marquee, .case object').count()) === 0);
		await shot('08-hostile');
	}
	// 8. the documents
	await page.goto(`${base}/documents`);
	const doc = page.locator('table.data a').first();
	if (await doc.count()) {
		await Promise.all([page.waitForURL(/\/documents\/./), doc.click()]);
		check('a document lists its cases by category', (await page.locator('.category-group').count()) > 0);
		await shot('09-document');
	}
	// 9. a 404
	resp = await page.goto(`${base}/cases/web-red-1`);
	check('a TLP:RED case is 404 in the browser', resp && resp.status() === 404, resp && resp.status());
	await shot('10-not-found');

	// 10. accounts (issue 11): an operator's reporter signs in through the form, sees an amber
	// case of their own organisation and not another's, signs out
	const login = process.env.KYOKUN_E2E_LOGIN, password = process.env.KYOKUN_E2E_PASSWORD;
	if (login && password) {
		const caseA = `${base}/cases/e2e-amber-a`, caseB = `${base}/cases/e2e-amber-b`;
		resp = await page.goto(caseA);
		check('accounts: anonymous, A\'s amber case is 404', resp && resp.status() === 404, resp && resp.status());
		await page.goto(`${base}/`);
		const signinLink = page.locator('.account a.signin-link');
		check('accounts: anonymous, the header offers sign-in', await signinLink.isVisible());
		await Promise.all([page.waitForURL(/\/signin/), signinLink.click()]);
		await page.fill('#login', login);
		await page.fill('#password', password);
		await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('form.signin-form button[type="submit"]')]);
		const name = (await page.locator('.account .who-name').innerText()).trim();
		check('accounts: signed in, the header shows the user', name === 'A電力 報告者', name);
		check('accounts: the header links to the account page', (await page.locator('.account a.who').getAttribute('href')) === '/account');
		check('accounts: a reporter has no admin link', (await page.locator('.account .admin-link').count()) === 0);
		await page.goto(`${base}/`);
		await shot('11-signed-in-home');
		// search: A's case is there, B's is not, for its own word or a word they share
		await page.fill('form.hero-search input[name="q"]', 'E2ESHAREDWORD');
		await Promise.all([page.waitForURL(/\/search\?/), page.press('form.hero-search input[name="q"]', 'Enter')]);
		let titles = await page.locator('ol.results > li a.title').allInnerTexts();
		check('accounts: search finds A\'s amber case', titles.some((t) => t.includes('KANARIAALPHA')), titles.join(' | '));
		check('accounts: search never shows B\'s amber case', !titles.some((t) => t.includes('KANARIABETA')) &&
			!(await page.content()).includes('KANARIABETA'), titles.join(' | '));
		await shot('12-signed-in-search');
		await page.goto(`${base}/search?q=KANARIABETA`);
		check('accounts: B\'s own word finds nothing', (await page.locator('ol.results > li').count()) === 0 &&
			!(await page.content()).includes('e2e-amber-b'));
		// the case pages
		resp = await page.goto(caseA);
		check('accounts: A\'s amber case opens', resp && resp.status() === 200, resp && resp.status());
		check('accounts: A\'s case shows its title', (await page.locator('.case-head h1').innerText()).includes('KANARIAALPHA'));
		check('accounts: A\'s case is marked TLP:AMBER', (await page.locator('.case .tlp-amber').count()) > 0);
		resp = await page.goto(caseB);
		check('accounts: B\'s amber case is 404', resp && resp.status() === 404, resp && resp.status());
		check('accounts: B\'s 404 says nothing of it', !(await page.content()).includes('KANARIABETA'));
		// the account page says what the reporter may read
		await page.goto(`${base}/account`);
		check('accounts: the account page explains amber', (await page.locator('dl.levels').innerText()).includes('あなたの組織が所有する事例'));
		// sign out
		await page.goto(`${base}/`);
		await Promise.all([page.waitForURL((u) => u.href !== `${base}/signout`), page.click('.account form.signout button')]);
		check('accounts: signed out, the header offers sign-in again', await page.locator('.account a.signin-link').isVisible() &&
			(await page.locator('.account .who-name').count()) === 0);
		resp = await page.goto(caseA);
		check('accounts: signed out, A\'s case is 404 again', resp && resp.status() === 404, resp && resp.status());

		// the admin's users page
		const admin = process.env.KYOKUN_E2E_ADMIN;
		if (admin) {
			await page.goto(`${base}/signin`);
			await page.fill('#login', admin);
			await page.fill('#password', password);
			await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')), page.click('form.signin-form button[type="submit"]')]);
			check('accounts: an admin has the admin link', await page.locator('.account .admin-link').isVisible());
			await Promise.all([page.waitForURL(/\/admin$/), page.click('.account .admin-link')]);
			await Promise.all([page.waitForURL(/\/admin\/users/), page.click('.admin-nav a[href="/admin/users"]')]);
			const logins = await page.locator('table.users td:first-child').allInnerTexts();
			check('accounts: the admin users page lists the reporter', logins.includes(login), logins.join(' '));
			await shot('13-admin-users');
			// a form with a wrong field: the message next to it, without JavaScript help
			await page.fill('#f-login', 'Not A Login!');
			await page.fill('#f-password', 'e2e-another-pass-word');
			await page.fill('#f-password2', 'e2e-another-pass-word');
			await Promise.all([page.waitForLoadState('load'), page.click('#add button[type="submit"]')]);
			check('accounts: a wrong login is said next to the field', await page.locator('#f-login-error').isVisible());
			check('accounts: the form keeps the login typed', (await page.inputValue('#f-login')) === 'Not A Login!');
			check('accounts: the form never keeps a password', (await page.inputValue('#f-password')) === '');
			await shot('14-admin-users-error');
			await page.goto(`${base}/`);
			await Promise.all([page.waitForURL((u) => u.href !== `${base}/signout`), page.click('.account form.signout button')]);
		}
	}

	check('no script ran from case text (no dialog)', dialogs.length === 0, dialogs.join('; '));
	check('no Content-Security-Policy violation', cspViolations.length === 0, cspViolations.join('\n'));
	check('no script error', pageErrors.length === 0, pageErrors.join('\n'));
} catch (e) {
	notok('the walk through the pages', e.stack || e);
	try { await shot('99-failure'); } catch { /* ignore */ }
} finally {
	await ctx.close();
	fs.rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
