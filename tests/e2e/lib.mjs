// tests/e2e/lib.mjs - what the walk-throughs share: TAP-like check lines,
// Debian's headless Chromium, a person signing in through the form, a form
// submitted and the next page waited for.
import { chromium } from 'playwright-core';

// One "ok - PREFIX: name" / "not ok - PREFIX: name" line per check; t.failed counts the failures.
export function checks(prefix) {
	const t = { failed: 0 };
	t.ok = (name) => console.log(`ok - ${prefix}: ${name}`);
	t.notok = (name, why) => {
		t.failed++;
		console.log(`not ok - ${prefix}: ${name}`);
		if (why) console.log(`  ${String(why).split('\n').slice(0, 6).join('\n  ')}`);
	};
	t.check = (name, cond, why) => (cond ? t.ok(name) : t.notok(name, why));
	return t;
}

// The browser, or a "skip - PREFIX: ..." line and exit 0 when it cannot start.
export async function launch(chrome, prefix) {
	try {
		return await chromium.launch({
			executablePath: chrome,
			headless: true,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
				'--disable-background-networking', '--disable-component-update', '--disable-sync'],
			timeout: 60000,
		});
	} catch (e) {
		console.log(`skip - ${prefix}: cannot start ${chrome}: ${String(e.message).split('\n')[0]}`);
		process.exit(0);
	}
}

// Sign in through /signin's form, as a person would.
export async function signin(page, base, login, password) {
	await page.goto(`${base}/signin`);
	await page.fill('#login', login);
	await page.fill('#password', password);
	await Promise.all([page.waitForURL((u) => !u.pathname.startsWith('/signin')),
		page.click('form.signin-form button[type="submit"]')]);
}

// Click a form's submit button and wait for the next page.
export async function submit(page, button) {
	await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), button.click()]);
}
