// Package functions runs the JavaScript functions of an exported MongoDB Atlas App Services app inside
// Lanyard, in an embedded engine (goja): no Node.js, no separate process.
//
// A source is an App Services function file: it assigns the function to `exports` or `module.exports`
// (`exports = async function (arg) {...}`). Every source is compiled once, when the Engine is made; each
// call runs in a runtime of its own, which is thrown away afterwards, so nothing a call leaves in the
// global scope is seen by another call. Runtimes are prepared ahead of the calls that use them.
//
// What a function can use:
//
//   - The JavaScript language (ES2020 and most of later editions, as goja implements it), async functions
//     and Promises included. There is no timer API (setTimeout, setInterval): a function that returns a
//     Promise nothing will ever settle fails with "returned a promise that never settled".
//   - context.services.get("<the export's MongoDB service>").db(name).collection(name), with insertOne,
//     insertMany, findOne, find (a cursor with sort, limit, skip and toArray), updateOne, updateMany,
//     deleteOne, deleteMany, count, countDocuments and aggregate (a cursor with toArray). Every method
//     returns a Promise, as in App Services. Lanyard's own database is refused; reads return at most
//     store.MaxDocumentsPerRead documents.
//   - context.user ({id, type, data, identities: [{id, provider_type, data}], custom_data}); a call made
//     by Lanyard itself sees the system user ({id: "", type: "system", data: {}, identities: [],
//     custom_data: {}}), and context.runningAsSystem() tells the two apart.
//   - context.values.get(name), context.environment ({tag, values}).
//   - context.functions.execute(name, ...args): another function of the export, in the same call (same
//     deadline).
//   - context.http.get, post, put, patch, delete and head ({url, headers, body, encodeBodyAsJSON,
//     followRedirects}), answering {status, statusCode, headers, cookies, body} where body.text() is the
//     response text. Only hosts on the operator's allow list (LANYARD_FUNCTIONS_HTTP_ALLOW) can be reached,
//     redirects included; without a list there is no network at all. Response bodies are bounded.
//   - console.log, info, warn, error and debug, which go to Lanyard's log with the function's name.
//   - BSON.ObjectId (new BSON.ObjectId(), BSON.ObjectId(hex), toHexString, toString, equals,
//     getTimestamp), stored as ObjectIds; Dates are stored as BSON dates. EJSON.stringify and EJSON.parse
//     (relaxed unless {relaxed: false}).
//   - require of pure-JavaScript CommonJS packages carried in the export's functions/node_modules, loaded
//     afresh for every call. Node's built-in modules (fs, http, crypto, ...) are not available, and
//     nothing reaches the file system or the network except through context.http.
//
// Anything else on context, on a collection, a cursor, BSON or EJSON fails with an error naming it
// ("context.foo is not supported by Lanyard's functions").
//
// Limits. Each call has a deadline (Call.Timeout, else Config.Timeout, and the caller's context): a
// function still running at the deadline, endless loops included, is interrupted. Go code a binding runs
// (a database or HTTP request) is not interrupted mid-way, but it honours the same deadline. Memory is
// bounded by a watchdog: while calls run, it samples the process's heap every few milliseconds and
// interrupts every call during which the heap grew by more than Config.MemoryLimit. The measure is the
// whole process's heap, not the call's own allocations, which has three consequences: a call running
// beside one that allocates without bound can be interrupted with it; garbage not yet collected counts,
// so a limit below the process's own steady heap can interrupt honest calls; and a single built-in call
// runs to its end before the watchdog can intervene. For that last case the built-ins that build a large
// value in one step (String repeat, padStart and padEnd, Array fill, join and from, ArrayBuffer and the
// typed array constructors) refuse, with a RangeError, sizes beyond the memory limit; other built-ins
// (a sort or a JSON.stringify of a huge value, say) are bounded only by the size of what the function
// already holds, and the typed array constructors are guarded only under their global names.
//
// Values cross into Go as map[string]any, []any, string, float64, bool, nil, time.Time (a Date) and
// ObjectID (a BSON.ObjectId); undefined becomes nil.
package functions
