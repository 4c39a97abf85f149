// realm-web, unchanged, against Lanyard serving examples/functions-app: the flows in which App Services
// ran the app's own JavaScript during authentication.
//
// Run by realmweb_test.go (TestRealmWebFunctions), with the same line protocol as flow.mjs: when it
// prints {"step": "need-token", "email": …} the Go test answers one line of JSON, {"token", "tokenId"},
// the confirmation token the app's function left in its outbox collection.
//
// Environment: LANYARD_URL, LANYARD_APP_ID.

import assert from "node:assert/strict";
import readline from "node:readline";
import * as Realm from "realm-web";

const { LANYARD_URL: baseUrl, LANYARD_APP_ID: id } = process.env;
assert.ok(baseUrl && id, "LANYARD_URL and LANYARD_APP_ID are required");

const stdin = readline.createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function report(step, data = {}) {
  console.log(JSON.stringify({ step, ...data }));
}

// rejectsWith asserts that a call fails with an App Services error of this status, code and message.
async function rejectsWith(promise, statusCode, errorCode, error) {
  await assert.rejects(promise, (err) => {
    assert.ok(err instanceof Realm.MongoDBRealmError, `not a MongoDBRealmError: ${err}`);
    assert.equal(err.statusCode, statusCode, err.message);
    assert.equal(err.errorCode, errorCode, err.message);
    if (error !== undefined) {
      assert.equal(err.error, error, err.message);
    }
    return true;
  });
}

const app = new Realm.App({ id, baseUrl });

// 1. The custom-function provider: the function checks the password in the app's collection (the Go
// test inserted ada's), and its message is the answer to a wrong one.
const ada = await app.logIn(Realm.Credentials.function({ username: "ada", password: "lovelace" }));
assert.equal(ada.identities[0].providerType, "custom-function");
assert.equal(ada.profile.name, "Ada");
assert.equal(ada.customData.favorite_color, "blue", "the user creation function's document is in the first token");
assert.equal((await app.logIn(Realm.Credentials.function({ username: "ada", password: "lovelace" }))).id, ada.id);
await rejectsWith(app.logIn(Realm.Credentials.function({ username: "ada", password: "babbage" })), 401, "AuthError",
  "wrong username or password for ada");
report("custom-function", { user_id: ada.id });

// 2. The confirmation function: the app's own domain is confirmed at once; another address stays
// pending until confirmUser with the token the function sent.
await app.emailPasswordAuth.registerUser({ email: "grace@example.com", password: "pw-hopper-1" });
await app.logIn(Realm.Credentials.emailPassword("grace@example.com", "pw-hopper-1"));
const pending = "linus@elsewhere.test";
await app.emailPasswordAuth.registerUser({ email: pending, password: "pw-torvalds-1" });
await rejectsWith(app.logIn(Realm.Credentials.emailPassword(pending, "pw-torvalds-1")), 401, "AuthError");
await app.emailPasswordAuth.retryCustomConfirmation({ email: pending });
report("need-token", { email: pending });
const { value } = await stdin.next();
const { token, tokenId } = JSON.parse(value);
await rejectsWith(app.emailPasswordAuth.confirmUser({ token, tokenId: "not-a-token-id" }), 400, "BadRequest", "invalid token data");
await app.emailPasswordAuth.confirmUser({ token, tokenId });
await app.logIn(Realm.Credentials.emailPassword(pending, "pw-torvalds-1"));
report("confirmation-function");

// 3. The reset function: the right answer to the security question sets the password at once.
await rejectsWith(app.emailPasswordAuth.callResetPasswordFunction({ email: pending, password: "pw-new-2" }, "41"),
  400, "FunctionExecutionError");
await app.emailPasswordAuth.callResetPasswordFunction({ email: pending, password: "pw-new-2" }, "42");
await rejectsWith(app.logIn(Realm.Credentials.emailPassword(pending, "pw-torvalds-1")), 401, "InvalidPassword", "unauthorized");
await app.logIn(Realm.Credentials.emailPassword(pending, "pw-new-2"));
report("reset-function");

// 4. Other functions stay uncallable, after the access token is checked.
await rejectsWith(ada.functions.sum(1, 2), 501, "FunctionNotFound");
report("done");
process.exit(0);
