// validate.mjs - check an exported document against the published schema of
// its format (the tests' validator; not part of kyokun):
//
//   node tests/tools/validate.mjs stix|misp|veris|misp-taxonomy FILE
//
//   stix           a STIX 2.1 bundle: the bundle and each object against its
//                  type's schema (spec/exchange/stix2.1/schemas, draft 2020-12)
//   misp           MISP events: {"Event": ...}, an array of them or
//                  {"response": [...]}, each against spec/exchange/misp/event-schema.json (draft-04)
//   veris          VERIS incidents: one object, an array, or JSON Lines, each
//                  against data/vcdb/verisc-merged.json (draft-04)
//   misp-taxonomy  a MISP taxonomy against tests/tools/machinetag.schema.json
//                  (the shape of spec/exchange/misp/taxonomies/*/machinetag.json);
//                  its predicates and values must also agree
//
// The schemas are read under $SHARED (default ../shared beside the
// repository).  Exit 0: valid; 1: invalid (each error on standard error,
// naming the object); 2: usage, or the validator or schemas are missing.
import { createRequire } from 'node:module';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { dirname, join, resolve, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const top = resolve(here, '..', '..');
const require = createRequire(join(top, 'tests', 'e2e', 'package.json'));
const shared = resolve(process.env.SHARED || join(top, '..', 'shared'));

function die(code, msg) {
	process.stderr.write(`validate: ${msg}\n`);
	process.exit(code);
}

const [kind, file] = process.argv.slice(2);
if (!kind || !file || !['stix', 'misp', 'veris', 'misp-taxonomy'].includes(kind))
	die(2, 'usage: node tests/tools/validate.mjs stix|misp|veris|misp-taxonomy FILE');

let mods;
try {
	mods = {
		Ajv2020: require('ajv/dist/2020').default,
		AjvDraft04: require('ajv-draft-04').default,
		addFormats: require('ajv-formats').default,
	};
} catch (e) {
	die(2, 'ajv is not installed (cd tests/e2e && npm ci)');
}

function readJSON(path) {
	return JSON.parse(readFileSync(path, 'utf8'));
}

let text;
try {
	text = readFileSync(file, 'utf8');
} catch (e) {
	die(2, `${file}: ${e.message}`);
}
function parseDoc(allowLines) {
	try {
		return JSON.parse(text);
	} catch (e) {
		if (allowLines) {
			const out = [];
			text.split('\n').forEach((l, i) => {
				if (!l.trim()) return;
				try { out.push(JSON.parse(l)); } catch (e2) { die(1, `${file}:${i + 1}: not JSON: ${e2.message}`); }
			});
			return out;
		}
		die(1, `${file}: not JSON: ${e.message}`);
	}
}

let errors = 0;
const MAX_SHOWN = 100;
function report(what, validate) {
	for (const e of validate.errors || []) {
		if (++errors > MAX_SHOWN) continue;
		process.stderr.write(`${what}${e.instancePath || ''}: ${e.message}` +
			(e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : '') + '\n');
	}
}
function need(path) {
	if (!existsSync(path)) die(2, `${path}: missing (set SHARED to the shared directory)`);
	return path;
}

function listJSON(dir) {
	let out = [];
	for (const n of readdirSync(dir)) {
		const p = join(dir, n);
		if (statSync(p).isDirectory()) out = out.concat(listJSON(p));
		else if (n.endsWith('.json')) out.push(p);
	}
	return out;
}

if (kind === 'stix') {
	const dir = need(join(shared, 'spec', 'exchange', 'stix2.1', 'schemas'));
	// the STIX schemas' patterns are not all valid with the u flag ("\-")
	const ajv = new mods.Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
	mods.addFormats(ajv);
	const byName = {};
	let bundleSchema;
	for (const p of listJSON(dir)) {
		const s = readJSON(p);
		ajv.addSchema(s);
		byName[basename(p, '.json')] = s.$id;
		if (basename(p) === 'bundle.json') bundleSchema = s;
	}
	const doc = parseDoc(false);
	// the bundle's own properties; its objects are checked one by one below
	// against their type's schema (the bundle schema's oneOf over every type
	// cannot tell a stub like incident from other types)
	const shell = JSON.parse(JSON.stringify(bundleSchema));
	shell.$id = bundleSchema.$id.replace(/bundle\.json$/, 'kyokun-bundle-shell.json');
	delete shell.properties.objects.items;
	const vb = ajv.compile(shell);
	if (!vb(doc)) report('bundle', vb);
	if (!doc || doc.type !== 'bundle' || !Array.isArray(doc.objects)) {
		errors++;
		process.stderr.write('bundle: not a bundle with objects\n');
	} else {
		doc.objects.forEach((o, i) => {
			const id = `objects[${i}] (${o && o.id})`;
			const sid = o && byName[o.type];
			if (!sid) {
				errors++;
				process.stderr.write(`${id}: type: "${o && o.type}" has no STIX 2.1 schema\n`);
				return;
			}
			const v = ajv.getSchema(sid);
			if (!v(o)) report(id, v);
		});
	}
} else if (kind === 'misp') {
	const ajv = new mods.AjvDraft04({ strict: false, allErrors: true });
	mods.addFormats(ajv);
	const v = ajv.compile(readJSON(need(join(shared, 'spec', 'exchange', 'misp', 'event-schema.json'))));
	const doc = parseDoc(false);
	const events = Array.isArray(doc) ? doc : doc && Array.isArray(doc.response) ? doc.response : [doc];
	if (!events.length) {
		errors++;
		process.stderr.write('no events\n');
	}
	events.forEach((e, i) => {
		if (!v(e)) report(`events[${i}] (${e && e.Event && e.Event.uuid})`, v);
	});
} else if (kind === 'veris') {
	const ajv = new mods.AjvDraft04({ strict: false, allErrors: true });
	mods.addFormats(ajv);
	const v = ajv.compile(readJSON(need(join(shared, 'data', 'vcdb', 'verisc-merged.json'))));
	const doc = parseDoc(true);
	const incidents = Array.isArray(doc) ? doc : [doc];
	if (!incidents.length) {
		errors++;
		process.stderr.write('no incidents\n');
	}
	incidents.forEach((x, i) => {
		if (!v(x)) report(`incidents[${i}] (${x && x.incident_id})`, v);
	});
} else {
	const ajv = new mods.Ajv2020({ strict: false, allErrors: true });
	const v = ajv.compile(readJSON(join(here, 'machinetag.schema.json')));
	const doc = parseDoc(false);
	if (!v(doc)) report('taxonomy', v);
	else {
		const preds = new Set(doc.predicates.map((p) => p.value));
		if (preds.size !== doc.predicates.length) {
			errors++;
			process.stderr.write('taxonomy: predicates: a value twice\n');
		}
		for (const [i, val] of (doc.values || []).entries()) {
			if (!preds.has(val.predicate)) {
				errors++;
				process.stderr.write(`taxonomy/values/${i}: predicate "${val.predicate}" is not among the predicates\n`);
			}
			const seen = new Set();
			for (const e of val.entry) {
				if (seen.has(e.value)) {
					errors++;
					process.stderr.write(`taxonomy/values/${i}: "${e.value}" twice\n`);
				}
				seen.add(e.value);
			}
		}
	}
}
if (errors) {
	process.stderr.write(`${file}: ${errors} error(s)\n`);
	process.exit(1);
}
process.exit(0);
