// realm-web, unchanged, against a live Lanyard: the walk of an App Services web app.
//
// Run by realmweb_test.go, which starts Lanyard and answers this script's requests on stdin. Protocol:
// the script prints one JSON object per line ({"step": …}); when it prints {"step": "need-custom-data",
// "user_id": …} the Go test inserts that user's custom data documents and writes "inserted\n" to stdin;
// on {"step": "need-grpc-update", "access_token": …} it sets {via: "grpc"} in the user's custom data
// through gRPC and writes "updated\n".
// Any failed assertion throws: the script exits non-zero with the error on stderr.
//
// Environment: LANYARD_URL (the base URL), LANYARD_APP_ID, LANYARD_EMAIL, LANYARD_PASSWORD.

import assert from "node:assert/strict";
import readline from "node:readline";
import * as Realm from "realm-web";

const { LANYARD_URL: baseUrl, LANYARD_APP_ID: id, LANYARD_EMAIL: email, LANYARD_PASSWORD: password } = process.env;
assert.ok(baseUrl && id && email && password, "LANYARD_URL, LANYARD_APP_ID, LANYARD_EMAIL and LANYARD_PASSWORD are required");

const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function report(step, data = {}) {
  console.log(JSON.stringify({ step, ...data }));
}

async function waitFor(word) {
  const { value, done } = await stdin.next();
  assert.ok(!done, `stdin closed while waiting for ${word}`);
  assert.equal(value.trim(), word);
}

// rejectsWith asserts that a call fails with an App Services error of this status and code.
async function rejectsWith(promise, statusCode, errorCode) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Realm.MongoDBRealmError, `not a MongoDBRealmError: ${err}`);
    assert.equal(err.statusCode, statusCode, err.message);
    assert.equal(err.errorCode, errorCode, err.message);
    return true;
  });
}

// The app finds its server through the location route (no skipLocationRequest).
const app = new Realm.App({ id, baseUrl });

// 1. Anonymous login; the profile is fetched by logIn.
const anon = await app.logIn(Realm.Credentials.anonymous());
assert.match(anon.id, /^[0-9a-f]{24}$/);
assert.equal(anon.isLoggedIn, true);
assert.equal(anon.identities.length, 1);
assert.equal(anon.identities[0].providerType, "anon-user");
assert.deepEqual(anon.customData, {});
assert.match(anon.deviceId, /^[0-9a-f]{24}$/);
// Anonymous credentials reuse the logged-in anonymous user.
assert.equal((await app.logIn(Realm.Credentials.anonymous())).id, anon.id);
report("anonymous", { user_id: anon.id });

// 2. Email/password: register, the errors the SDK surfaces, login.
await app.emailPasswordAuth.registerUser({ email, password });
await rejectsWith(app.emailPasswordAuth.registerUser({ email, password }), 409, "AccountNameInUse");
await rejectsWith(app.logIn(Realm.Credentials.emailPassword(email, password + "-wrong")), 401, "InvalidPassword");
await rejectsWith(app.logIn(Realm.Credentials.function({ x: 1 })), 404, "AuthProviderNotFound");
const user = await app.logIn(Realm.Credentials.emailPassword(email, password));
assert.notEqual(user.id, anon.id);
assert.equal(app.currentUser.id, user.id);
assert.equal(user.profile.email, email.toLowerCase());
assert.equal(user.identities[0].providerType, "local-userpass");
assert.deepEqual(user.customData, {});
report("email-password", { user_id: user.id });

// 3. Custom user data: the Go test inserts two documents for the user; the first inserted wins.
report("need-custom-data", { user_id: user.id });
await waitFor("inserted");
assert.deepEqual(user.customData, {}, "a token's custom data is as of its minting");
const refreshToken = user.refreshToken;
for (let i = 0; i < 5; i++) {
  const data = await user.refreshCustomData();
  assert.equal(data.name, "first", `refreshCustomData #${i + 1}: ${JSON.stringify(data)}`);
  assert.equal(data.user_id, user.id);
}
assert.equal(user.customData.name, "first");
assert.equal(user.customData.n, 1);
assert.equal(user.refreshToken, refreshToken, "the refresh token of an App Services session never changes");
report("custom-data", { custom_data: user.customData });

// 3b. MongoDB data access on the custom data collection: the winning document, under the export's rules.
const coll = user.mongoClient("mongodb-atlas").db("sample").collection("custom_user_data");
const own = await coll.findOne({ user_id: user.id });
assert.equal(own.name, "first", JSON.stringify(own));
assert.equal(await coll.count({ user_id: user.id }), 1, "the shadowed second document is never reached");
const updated = await coll.updateOne({ user_id: user.id }, { $set: { plan: "pro" }, $inc: { n: 1 } });
assert.equal(updated.matchedCount, 1);
assert.equal(updated.modifiedCount, 1);
const refreshed = await user.refreshCustomData();
assert.equal(refreshed.plan, "pro");
assert.equal(refreshed.n, 2);
assert.equal(refreshed.name, "first");
await rejectsWith(coll.findOne({ user_id: anon.id }), 403, "PermissionDenied");
await rejectsWith(coll.updateOne({ user_id: anon.id }, { $set: { plan: "stolen" } }), 403, "PermissionDenied");
// The rules keep user_id read-only.
await rejectsWith(coll.updateOne({ user_id: user.id }, { $set: { user_id: anon.id } }), 403, "PermissionDenied");
report("data-access", { custom_data: refreshed });

// 3c. collection.watch(): the changes of the user's document, one of them written through gRPC by the Go
// test. The stream is known to be open once it delivers a change made here, so write until it does.
const changes = coll.watch();
const pending = changes.next();
let first = null;
while (!first) {
  first = await Promise.race([pending, coll.updateOne({ user_id: user.id }, { $inc: { pings: 1 } }).then(() => null)]);
}
assert.equal(first.value.operationType, "update");
assert.equal(first.value.fullDocument.name, "first");
report("need-grpc-update", { access_token: user.accessToken });
await waitFor("updated");
let change;
do {
  change = (await changes.next()).value;
} while (change.fullDocument.via !== "grpc");
assert.equal(change.operationType, "update");
assert.equal(change.updateDescription.updatedFields.via, "grpc");
assert.equal(change.fullDocument.plan, "pro");
await changes.return();
report("watch");

// 4. An invalid access token: realm-web refreshes it on 401 InvalidSession and retries.
user.accessToken = user.accessToken.slice(0, -6) + (user.accessToken.endsWith("AAAAAA") ? "BBBBBB" : "AAAAAA");
await user.refreshProfile();
assert.equal(user.profile.email, email.toLowerCase());
assert.equal(user.refreshToken, refreshToken);
report("retry-after-invalid-session");

// 5. API keys (the SDK calls these routes with the refresh token), and an API key login.
const key = await user.apiKeys.create("laptop");
assert.equal(key.name, "laptop");
assert.equal(key.disabled, false);
assert.ok(typeof key.key === "string" && key.key.length > 20);
const keys = await user.apiKeys.fetchAll();
assert.equal(keys.length, 1);
assert.equal(String(keys[0]._id), String(key._id));
assert.equal(keys[0].key, undefined, "the secret is shown once");
assert.equal((await user.apiKeys.fetch(key._id)).name, "laptop");
await user.apiKeys.disable(key._id);
assert.equal((await user.apiKeys.fetch(key._id)).disabled, true);
const keyApp = new Realm.App({ id, baseUrl });
await rejectsWith(keyApp.logIn(Realm.Credentials.apiKey(key.key)), 401, "InvalidPassword");
await user.apiKeys.enable(key._id);
const keyUser = await keyApp.logIn(Realm.Credentials.apiKey(key.key));
assert.equal(keyUser.id, user.id);
assert.equal(keyUser.customData.name, "first");
await keyUser.logOut();
await user.apiKeys.delete(key._id);
assert.equal((await user.apiKeys.fetchAll()).length, 0);
await rejectsWith(user.apiKeys.fetch(key._id), 404, "APIKeyNotFound");
report("api-keys");

// 6. What Lanyard does not serve answers a clear error.
await rejectsWith(user.functions.sum(1, 2), 501, "FunctionNotFound");
await rejectsWith(user.mongoClient("mongodb-atlas").db("x").collection("y").findOne({}), 403, "PermissionDenied");
await rejectsWith(user.mongoClient("other").db("sample").collection("custom_user_data").findOne({}), 404, "ServiceNotFound");
report("unsupported");

// 7. Logout: the session ends; logging out again is harmless.
await user.logOut();
assert.equal(user.isLoggedIn, false);
assert.equal(user.refreshToken, null);
await user.logOut();
report("logout");

// 8. Delete: log in again and delete the user; its credentials no longer log in.
const again = await app.logIn(Realm.Credentials.emailPassword(email, password));
assert.equal(again.id, user.id);
await app.deleteUser(again);
assert.ok(!(again.id in app.allUsers));
await rejectsWith(app.logIn(Realm.Credentials.emailPassword(email, password)), 401, "InvalidPassword");
app.switchUser(anon);
await app.deleteUser(anon);
report("delete");

report("done");
process.exit(0);
