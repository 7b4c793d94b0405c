/* kyokun: small progressive enhancements; every page works without them. */
(function () {
	'use strict';
	document.querySelectorAll('[data-action="print"]').forEach(function (b) {
		b.hidden = false;
		b.addEventListener('click', function () { window.print(); });
	});
	/* '/' focuses the search box, as in many tools */
	document.addEventListener('keydown', function (e) {
		if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
		var t = e.target && e.target.tagName;
		if (t === 'INPUT' || t === 'TEXTAREA' || t === 'SELECT') return;
		var q = document.querySelector('input[type="search"]');
		if (q) { e.preventDefault(); q.focus(); q.select(); }
	});
	/* an empty search does nothing rather than load an error */
	document.querySelectorAll('form[role="search"]').forEach(function (f) {
		f.addEventListener('submit', function (e) {
			var q = f.querySelector('input[name="q"]');
			if (q && !q.value.trim() && !f.querySelector('input[type="hidden"][data-filter]')) {
				e.preventDefault(); q.focus();
			}
		});
	});
})();
