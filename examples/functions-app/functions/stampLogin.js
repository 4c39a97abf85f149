// The function of the LOGIN trigger: stamps the time of the login on the user's custom data, and keeps
// a line per login.
exports = async function (authEvent) {
  const db = context.services.get("mongodb-atlas").db("myapp");
  await db.collection("logins").insertOne({ user: authEvent.user.id, time: authEvent.time });
  await db.collection("users").updateOne(
    { user_account_id: authEvent.user.id },
    { $set: { lastLogin: authEvent.time } });
};
