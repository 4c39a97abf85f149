package functions

// preludeJS builds, in each runtime, the objects a function sees: BSON, EJSON, console and context. It
// is given n, the runtime's Go bindings, and returns what Go needs to reach again: the ObjectId
// constructor and the context object (before its guard), on which each call sets user.
const preludeJS = `(function (n) {
'use strict';
function guard(target, label) {
	return new Proxy(target, {
		get(t, k, recv) {
			if (typeof k === 'symbol' || k in t) return Reflect.get(t, k, recv);
			if (k === 'then' || k === 'toJSON') return undefined;
			throw new TypeError(label + '.' + String(k) + " is not supported by Lanyard's functions");
		},
	});
}
// Built-ins that build a large value in one native step run without the interrupt checks that stop a
// script, so they are refused sizes the memory bound could not stop in time.
const maxString = n.maxString, maxElements = n.maxElements;
function bounded(obj, name, check) {
	const orig = obj[name];
	const f = {[name](...args) { check(this, args); return Reflect.apply(orig, this, args); }}[name];
	Object.defineProperty(obj, name, {value: f, writable: true, configurable: true, enumerable: false});
}
const tooLong = () => { throw new RangeError('Invalid string length'); };
const tooMany = () => { throw new RangeError('Invalid array length'); };
const len = (x) => { const l = Number(x); return l > 0 ? Math.floor(l) : 0; };
bounded(String.prototype, 'repeat', (s, [count]) => { if (String(s).length * len(count) > maxString) tooLong(); });
bounded(String.prototype, 'padStart', (s, [l]) => { if (len(l) > maxString) tooLong(); });
bounded(String.prototype, 'padEnd', (s, [l]) => { if (len(l) > maxString) tooLong(); });
bounded(Array.prototype, 'fill', (a) => { if (len(Object(a).length) > maxElements) tooMany(); });
bounded(Array.prototype, 'join', (a, [sep]) => {
	const o = Object(a), l = len(o.length), sl = sep === undefined ? 1 : String(sep).length;
	if (l > maxElements || l * sl > maxString) tooLong();
	// The elements can be one long string many times over: their lengths count too.
	let total = 0;
	for (let i = 0; i < l; i++) {
		const v = o[i];
		total += sl + (typeof v === 'string' ? v.length : 0);
		if (total > maxString) tooLong();
	}
});
bounded(Array, 'from', (_, [items]) => { if (items != null && len(Object(items).length) > maxElements) tooMany(); });
function boundedConstructor(name, bytesPer) {
	const C = globalThis[name];
	if (typeof C !== 'function') return;
	// A function, not a Proxy: goja's instanceof does not see through a Proxy of a constructor.
	const W = {[name]: function (...args) {
		if (new.target === undefined) throw new TypeError("Constructor " + name + " requires 'new'");
		const a = args[0];
		if ((typeof a === 'number' || a === undefined) && len(a) * bytesPer > maxString) tooMany();
		if (a != null && typeof a === 'object' && !(a instanceof C) && len(a.length) * bytesPer > maxString) tooMany();
		return Reflect.construct(C, args, new.target === W ? C : new.target);
	}}[name];
	// Static members (from, of, isView, BYTES_PER_ELEMENT) are the built-in's, reached through W's
	// prototype.
	Object.setPrototypeOf(W, C);
	Object.defineProperty(W, 'prototype', {value: C.prototype, writable: false});
	globalThis[name] = W;
}
boundedConstructor('ArrayBuffer', 1);
for (const [name, size] of [['Int8Array', 1], ['Uint8Array', 1], ['Uint8ClampedArray', 1], ['Int16Array', 2],
	['Uint16Array', 2], ['Int32Array', 4], ['Uint32Array', 4], ['Float32Array', 4], ['Float64Array', 8]]) {
	boundedConstructor(name, size);
}

const oid = n.oidSymbol;
function ObjectId(id) {
	if (!(this instanceof ObjectId)) return new ObjectId(id);
	let hex;
	if (id === undefined || id === null) hex = n.newObjectId();
	else if (id instanceof ObjectId) hex = id[oid];
	else if (typeof id === 'string' && /^[0-9a-fA-F]{24}$/.test(id)) hex = id.toLowerCase();
	else throw new TypeError('BSON.ObjectId: ' + (typeof id === 'string' ? JSON.stringify(id) : typeof id) + ' is not a 24-digit hexadecimal string');
	Object.defineProperty(this, oid, {value: hex});
}
ObjectId.prototype.toHexString = function () { return this[oid]; };
ObjectId.prototype.toString = function () { return this[oid]; };
ObjectId.prototype.toJSON = function () { return this[oid]; };
ObjectId.prototype.equals = function (other) {
	if (other instanceof ObjectId) return other[oid] === this[oid];
	if (typeof other === 'string') return other.toLowerCase() === this[oid];
	return false;
};
ObjectId.prototype.getTimestamp = function () { return new Date(parseInt(this[oid].slice(0, 8), 16) * 1000); };
ObjectId.isValid = function (id) {
	return id instanceof ObjectId || (typeof id === 'string' && /^[0-9a-fA-F]{24}$/.test(id));
};
globalThis.BSON = guard({ObjectId}, 'BSON');
globalThis.EJSON = guard({stringify: n.ejsonStringify, parse: n.ejsonParse}, 'EJSON');
globalThis.console = guard({
	log: n.log('info'), info: n.log('info'), warn: n.log('warn'), error: n.log('error'), debug: n.log('debug'),
}, 'console');

function cursor(label, fetch, q) {
	const c = {
		sort(s) { q.sort = s; return g; },
		limit(k) { q.limit = k; return g; },
		skip(k) { q.skip = k; return g; },
		toArray() { return fetch(q); },
	};
	if (!fetch.findLike) { delete c.sort; delete c.limit; delete c.skip; }
	const g = guard(c, label);
	return g;
}
function collection(db, coll) {
	const label = 'collection';
	function find(filter, projection, options) {
		const o = options || {};
		const fetch = (q) => n.find(db, coll, filter, projection, q.sort, q.limit, q.skip);
		fetch.findLike = true;
		return cursor('cursor', fetch, {sort: o.sort, limit: o.limit, skip: o.skip});
	}
	function aggregate(pipeline) {
		return cursor('cursor', () => n.aggregate(db, coll, pipeline), {});
	}
	return guard({
		insertOne: (doc) => n.insertOne(db, coll, doc),
		insertMany: (docs) => n.insertMany(db, coll, docs),
		findOne: (filter, projection, options) => n.findOne(db, coll, filter, projection, options),
		find,
		updateOne: (filter, update, options) => n.update(db, coll, filter, update, options, false),
		updateMany: (filter, update, options) => n.update(db, coll, filter, update, options, true),
		deleteOne: (filter) => n.delete(db, coll, filter, false),
		deleteMany: (filter) => n.delete(db, coll, filter, true),
		count: (filter) => n.count(db, coll, filter),
		countDocuments: (filter) => n.count(db, coll, filter),
		aggregate,
	}, label);
}
const service = guard({
	db(name) {
		n.checkName('db', name);
		return guard({collection(c) { n.checkName('collection', c); return collection(name, c); }}, 'db');
	},
}, 'service');
const env = n.environment;
const context = {
	services: guard({get(name) { n.service(name); return service; }}, 'context.services'),
	values: guard({get: n.valueGet}, 'context.values'),
	environment: guard({tag: env.tag, values: env.values}, 'context.environment'),
	functions: guard({execute: n.execute}, 'context.functions'),
	http: guard({
		get: (o) => n.http('GET', o), post: (o) => n.http('POST', o), put: (o) => n.http('PUT', o),
		patch: (o) => n.http('PATCH', o), delete: (o) => n.http('DELETE', o), head: (o) => n.http('HEAD', o),
	}, 'context.http'),
	user: undefined,
	runningAsSystem: n.runningAsSystem,
};
globalThis.context = guard(context, 'context');
return {ObjectId, context};
})`
