// validate.mjs: check Kubernetes manifests against the API schema, field
// names included.  Usage: node validate.mjs NODE_MODULES_PARENT FILE...
//
// Three checks per document; any finding makes the exit status 1:
//  1. Types and required fields: the kubernetes-models packages' validators
//     (JSON schema of the Kubernetes OpenAPI, and of the KEDA CRDs).  They
//     accept unknown field names, so a typo such as "completion: 8" passes
//     them silently.
//  2. Field names: a strict walk over every object, against the attribute
//     maps of @kubernetes/client-node's generated models (the same OpenAPI
//     document); KEDA objects, which client-node does not model, against the
//     KEDA_SCHEMA table below, down to the embedded JobSpec, which is walked
//     with client-node's V1JobSpec.
//  3. Rules the API server enforces beyond the schema for Jobs, and the
//     project's pod hardening: what a cluster would reject or we forbid.
//
// The packages are installed by tests/packaging/k8s-manifests.sh from
// the pinned package-lock.json into a directory outside the source tree, passed as
// the first argument.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [depsDir, ...files] = process.argv.slice(2);
if (!depsDir || files.length === 0) {
	console.error('usage: node validate.mjs NODE_MODULES_PARENT FILE...');
	process.exit(2);
}
const require = createRequire(join(depsDir, 'package.json'));
const YAML = require('yaml');
const models = await import(pathToFileURL(join(depsDir,
	'node_modules/@kubernetes/client-node/dist/gen/models/all.js')).href);

const findings = [];
function report(where, message) {
	findings.push(`${where}: ${message}`);
}

// --- 1. types and required fields ------------------------------------------

// apiVersion + kind -> the kubernetes-models class that validates it.
function modelClass(apiVersion, kind) {
	const slash = apiVersion.indexOf('/');
	const group = slash < 0 ? '' : apiVersion.slice(0, slash);
	let module;
	if (group === 'keda.sh')
		module = `@kubernetes-models/keda/${apiVersion}/${kind}`;
	else if (group === '' || !group.includes('.') || group.endsWith('.k8s.io'))
		module = `kubernetes-models/${apiVersion}/${kind}`;
	else
		return null;
	try {
		return require(module)[kind] ?? null;
	} catch {
		return null;
	}
}

function checkTypes(where, doc) {
	const Cls = modelClass(doc.apiVersion, doc.kind);
	if (!Cls) {
		report(where, `no schema for apiVersion ${doc.apiVersion} kind ${doc.kind}`);
		return;
	}
	let subject = doc;
	if (doc.apiVersion === 'keda.sh/v1alpha1' && doc.kind === 'ScaledJob' &&
	    doc.spec && typeof doc.spec === 'object' && doc.spec.jobTargetRef) {
		// The KEDA package embeds the JobSpec of an older Kubernetes (it
		// still requires onPodConditions in every podFailurePolicy rule).
		// The jobTargetRef is checked as a batch/v1 JobSpec of the current
		// API instead, and replaced here by a minimal valid one.
		checkTypes(`${where} spec.jobTargetRef`, {
			apiVersion: 'batch/v1', kind: 'Job',
			metadata: { name: 'jobTargetRef' }, spec: doc.spec.jobTargetRef,
		});
		subject = structuredClone(doc);
		subject.spec.jobTargetRef = { template: { spec: { containers: [] } } };
	}
	try {
		new Cls(subject).validate();
	} catch (err) {
		report(where, `schema: ${String(err.message).replace(/\n/g, '; ')}`);
	}
}

// --- 2. field names ------------------------------------------------------

// KEDA's ScaledJob and TriggerAuthentication (keda.sh/v1alpha1), from the
// CRDs that @kubernetes-models/keda is generated from (its .d.ts files)
// and KEDA's scaler documentation.  A string names a client-node model or
// a leaf type; { fields } is an object; ['array', T] and ['map', T] hold T.
const LEAF = 'leaf';
const KEDA_SCHEMA = {
	ScaledJob: { fields: {
		apiVersion: LEAF, kind: LEAF, metadata: 'V1ObjectMeta',
		spec: { fields: {
			envSourceContainerName: LEAF,
			failedJobsHistoryLimit: LEAF,
			jobTargetRef: 'V1JobSpec',
			maxReplicaCount: LEAF,
			minReplicaCount: LEAF,
			pollingInterval: LEAF,
			rollout: { fields: { propagationPolicy: LEAF, strategy: LEAF } },
			rolloutStrategy: LEAF,
			scalingStrategy: { fields: {
				customScalingQueueLengthDeduction: LEAF,
				customScalingRunningJobPercentage: LEAF,
				multipleScalersCalculation: LEAF,
				pendingPodConditions: LEAF,
				strategy: LEAF,
			} },
			successfulJobsHistoryLimit: LEAF,
			triggers: ['array', { fields: {
				authenticationRef: { fields: { kind: LEAF, name: LEAF } },
				metadata: 'trigger-metadata',
				name: LEAF,
				type: LEAF,
				useCachedMetrics: LEAF,
			} }],
		} },
	} },
	TriggerAuthentication: { fields: {
		apiVersion: LEAF, kind: LEAF, metadata: 'V1ObjectMeta',
		spec: { fields: {
			azureKeyVault: LEAF,
			env: ['array', { fields: {
				containerName: LEAF, name: LEAF, parameter: LEAF,
			} }],
			hashiCorpVault: LEAF,
			podIdentity: LEAF,
			secretTargetRef: ['array', { fields: {
				key: LEAF, name: LEAF, parameter: LEAF,
			} }],
		} },
	} },
};

// Trigger metadata is a string map to the schema; KEDA's scalers read
// known keys and ignore the rest, so a misspelt key is lost silently.
const TRIGGER_METADATA = {
	rabbitmq: new Set([
		'activationValue', 'excludeUnacknowledged', 'host', 'hostFromEnv',
		'mode', 'operation', 'pageSize', 'passwordFromEnv', 'protocol',
		'queueName', 'timeout', 'unsafeSsl', 'useRegex', 'usernameFromEnv',
		'value', 'vhostName',
	]),
};

const LEAF_TYPES = new Set(['string', 'number', 'boolean', 'Date', 'any',
	'IntOrString', 'object']);

function isObject(v) {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function closest(name, known) {
	let best = null, bestDist = 3;
	for (const k of known) {
		const d = editDistance(name.toLowerCase(), k.toLowerCase());
		if (d < bestDist) { best = k; bestDist = d; }
	}
	return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a, b) {
	const row = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		let prev = row[0];
		row[0] = i;
		for (let j = 1; j <= b.length; j++) {
			const cur = row[j];
			row[j] = Math.min(row[j] + 1, row[j - 1] + 1,
				prev + (a[i - 1] === b[j - 1] ? 0 : 1));
			prev = cur;
		}
	}
	return row[b.length];
}

function walkFields(where, path, value, fields, walkChild) {
	if (!isObject(value))
		return;	// a wrong type is the schema check's finding
	const known = Object.keys(fields);
	for (const [key, child] of Object.entries(value)) {
		const p = path ? `${path}.${key}` : key;
		if (!Object.hasOwn(fields, key)) {
			report(where, `unknown field "${p}"${closest(key, known)}`);
			continue;
		}
		walkChild(p, child, fields[key]);
	}
}

// Walk VALUE as client-node type TYPE ("V1Job", "Array<V1Container>", ...).
function walkModel(where, path, value, type) {
	if (LEAF_TYPES.has(type) || value === null || value === undefined)
		return;
	let m = /^Array<(.*)>$/.exec(type);
	if (m) {
		if (Array.isArray(value))
			value.forEach((v, i) => walkModel(where, `${path}[${i}]`, v, m[1]));
		return;
	}
	m = /^\{ \[key: string\]: (.*); \}$/.exec(type);
	if (m) {
		if (isObject(value))
			for (const [k, v] of Object.entries(value))
				walkModel(where, `${path}.${k}`, v, m[1]);
		return;
	}
	const model = models[type];
	if (!model || typeof model.getAttributeTypeMap !== 'function')
		throw new Error(`validator: no client-node model ${type} at ${path}`);
	const fields = {};
	for (const attr of model.getAttributeTypeMap())
		fields[attr.baseName] = attr.type;
	walkFields(where, path, value, fields,
		(p, child, t) => walkModel(where, p, child, t));
}

function walkTable(where, path, value, spec) {
	if (spec === LEAF)
		return;
	if (spec === 'trigger-metadata')
		return;	// checked with the trigger's type, below
	if (typeof spec === 'string')
		return walkModel(where, path, value, spec);
	if (Array.isArray(spec)) {
		const [how, inner] = spec;
		if (how === 'array' && Array.isArray(value))
			value.forEach((v, i) => walkTable(where, `${path}[${i}]`, v, inner));
		if (how === 'map' && isObject(value))
			for (const [k, v] of Object.entries(value))
				walkTable(where, `${path}.${k}`, v, inner);
		return;
	}
	walkFields(where, path, value, spec.fields,
		(p, child, s) => walkTable(where, p, child, s));
}

function checkFieldNames(where, doc) {
	if (doc.apiVersion === 'keda.sh/v1alpha1') {
		const spec = KEDA_SCHEMA[doc.kind];
		if (!spec) {
			report(where, `no field table for KEDA kind ${doc.kind}`);
			return;
		}
		walkTable(where, '', doc, spec);
		for (const [i, trig] of (doc.spec?.triggers ?? []).entries()) {
			const keys = TRIGGER_METADATA[trig?.type];
			if (!keys) {
				report(where, `no metadata table for trigger type ${trig?.type}`);
				continue;
			}
			for (const key of Object.keys(trig.metadata ?? {}))
				if (!keys.has(key))
					report(where, `unknown ${trig.type} trigger metadata ` +
						`"spec.triggers[${i}].metadata.${key}"${closest(key, keys)}`);
		}
		return;
	}
	const version = doc.apiVersion.split('/').pop();
	const type = version.charAt(0).toUpperCase() + version.slice(1) + doc.kind;
	if (!models[type]) {
		report(where, `no client-node model ${type} for ${doc.apiVersion} ${doc.kind}`);
		return;
	}
	walkModel(where, '', doc, type);
}

// --- 3. API server rules for Jobs, and the project's pod hardening ---------

const ACTIONS = new Set(['FailJob', 'FailIndex', 'Ignore', 'Count']);

function checkJobSpec(where, path, spec) {
	if (!isObject(spec))
		return;
	const podSpec = spec.template?.spec ?? {};
	const names = new Set([...(podSpec.containers ?? []),
		...(podSpec.initContainers ?? [])].map((c) => c?.name));
	const rules = spec.podFailurePolicy?.rules ?? [];
	if (spec.podFailurePolicy && podSpec.restartPolicy !== 'Never')
		report(where, `${path}.podFailurePolicy needs template.spec.restartPolicy: Never`);
	rules.forEach((rule, i) => {
		const at = `${path}.podFailurePolicy.rules[${i}]`;
		if (!ACTIONS.has(rule.action))
			report(where, `${at}.action "${rule.action}" is none of ${[...ACTIONS].join(', ')}`);
		if (rule.action === 'FailIndex' && spec.backoffLimitPerIndex === undefined)
			report(where, `${at}: FailIndex needs ${path}.backoffLimitPerIndex`);
		if (!rule.onExitCodes === !rule.onPodConditions)
			report(where, `${at}: exactly one of onExitCodes and onPodConditions`);
		const codes = rule.onExitCodes;
		if (codes) {
			if (!['In', 'NotIn'].includes(codes.operator))
				report(where, `${at}.onExitCodes.operator "${codes.operator}" is neither In nor NotIn`);
			const v = codes.values ?? [];
			if (v.length === 0 || v.length > 255)
				report(where, `${at}.onExitCodes.values must hold 1 to 255 codes`);
			if (v.some((x, j) => j > 0 && !(x > v[j - 1])))
				report(where, `${at}.onExitCodes.values must be sorted without duplicates`);
			if (codes.operator === 'In' && v.includes(0))
				report(where, `${at}.onExitCodes.values: 0 cannot be used with In`);
			if (codes.containerName !== undefined && !names.has(codes.containerName))
				report(where, `${at}.onExitCodes.containerName "${codes.containerName}" names no container`);
		}
	});
	if (spec.successPolicy && spec.completionMode !== 'Indexed')
		report(where, `${path}.successPolicy needs completionMode: Indexed`);
	if ((spec.backoffLimitPerIndex !== undefined || spec.maxFailedIndexes !== undefined) &&
	    spec.completionMode !== 'Indexed')
		report(where, `${path}.backoffLimitPerIndex needs completionMode: Indexed`);
	if (spec.completionMode === 'Indexed' && spec.completions === undefined)
		report(where, `${path}: an Indexed Job needs completions`);
	checkPodHardening(where, `${path}.template.spec`, podSpec);
}

// find-hash pods: non-root, read-only root, no privilege escalation, no
// capabilities, and no broker password on a command line.
function checkPodHardening(where, path, podSpec) {
	const podSec = podSpec.securityContext ?? {};
	(podSpec.containers ?? []).forEach((c, i) => {
		if (!String(c?.image ?? '').startsWith('find-hash:'))
			return;
		const at = `${path}.containers[${i}]`;
		const sec = c.securityContext ?? {};
		if ((sec.runAsNonRoot ?? podSec.runAsNonRoot) !== true)
			report(where, `${at}: runAsNonRoot must be true`);
		if (sec.readOnlyRootFilesystem !== true)
			report(where, `${at}.securityContext.readOnlyRootFilesystem must be true`);
		if (sec.allowPrivilegeEscalation !== false)
			report(where, `${at}.securityContext.allowPrivilegeEscalation must be false`);
		if (!(sec.capabilities?.drop ?? []).includes('ALL'))
			report(where, `${at}.securityContext.capabilities.drop must hold ALL`);
		if (!c.resources?.limits?.cpu || !c.resources?.limits?.memory)
			report(where, `${at}.resources.limits needs cpu and memory`);
		for (const arg of [...(c.command ?? []), ...(c.args ?? [])])
			if (/^amqps?:\/\/[^/@]*:[^/@]*@/.test(String(arg)))
				report(where, `${at}: a broker password on the command line; use BROKER_URL from a Secret or --url-file`);
		for (const e of c.env ?? [])
			if (e?.value !== undefined && /^amqps?:\/\/[^/@]*:[^/@]*@/.test(String(e.value)))
				report(where, `${at}.env ${e.name}: a broker password in plain text; use valueFrom.secretKeyRef`);
	});
	// A secret volume's files belong to root; the pod's user reads them
	// through the mode's world bits, or through the group bits when
	// fsGroup is set (the kubelet then gives them that group and adds
	// group read).  A mode such as 0400 without fsGroup leaves the file
	// unreadable to a non-root find-hash (--url-file fails at start).
	if (podSec.fsGroup === undefined && (podSec.runAsUser ?? 0) !== 0)
		(podSpec.volumes ?? []).forEach((v, i) => {
			if (!isObject(v?.secret))
				return;
			const modes = [v.secret.defaultMode ?? 0o644,
				...(v.secret.items ?? []).map((it) => it?.mode ?? v.secret.defaultMode ?? 0o644)];
			if (modes.some((m) => (m & 0o004) === 0))
				report(where, `${path}.volumes[${i}] (secret ${v.secret.secretName}): mode 0${modes.map((m) => m.toString(8)).join('/0')} and no fsGroup: the files are root:root, unreadable to user ${podSec.runAsUser}; set securityContext.fsGroup`);
		});
}

function checkRules(where, doc) {
	if (doc.apiVersion === 'batch/v1' && doc.kind === 'Job')
		checkJobSpec(where, 'spec', doc.spec);
	if (doc.apiVersion === 'keda.sh/v1alpha1' && doc.kind === 'ScaledJob')
		checkJobSpec(where, 'spec.jobTargetRef', doc.spec?.jobTargetRef);
}

// --- main -------------------------------------------------------------------

const kinds = new Map();
let count = 0;
for (const file of files) {
	let docs;
	try {
		docs = YAML.parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
	} catch (err) {
		report(file, `cannot read: ${err.message}`);
		continue;
	}
	for (const [n, parsed] of docs.entries()) {
		let where = `${file} document ${n + 1}`;
		if (parsed.errors.length || parsed.warnings.length) {
			for (const e of [...parsed.errors, ...parsed.warnings])
				report(where, `YAML: ${e.message.split('\n')[0]}`);
			continue;
		}
		const doc = parsed.toJS();
		if (doc === null || doc === undefined)
			continue;	// an empty document, as after a trailing "---"
		if (!isObject(doc) || typeof doc.apiVersion !== 'string' ||
		    typeof doc.kind !== 'string' || typeof doc.metadata?.name !== 'string') {
			report(where, 'needs apiVersion, kind and metadata.name');
			continue;
		}
		where = `${file} ${doc.kind}/${doc.metadata.name}`;
		const before = findings.length;
		checkTypes(where, doc);
		checkFieldNames(where, doc);
		checkRules(where, doc);
		count++;
		const kind = `${doc.apiVersion} ${doc.kind}`;
		kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
		console.log(`${findings.length === before ? 'valid' : 'INVALID'}: ${where}`);
	}
}
for (const f of findings)
	console.log(`error: ${f}`);
console.log(`kinds: ${[...kinds].map(([k, n]) => `${k} (${n})`).join(', ')}`);
console.log(`${count} documents, ${findings.length} errors`);
process.exit(findings.length === 0 && count > 0 ? 0 : 1);
