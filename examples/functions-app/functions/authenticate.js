// The custom-function provider's function: the login payload is { username, password }; the
// credentials live in the app's own collection.
exports = async function (payload) {
  const credentials = context.services.get("mongodb-atlas").db("myapp").collection("credentials");
  const found = await credentials.findOne({ username: payload.username });
  if (!found || found.password !== payload.password) {
    throw new Error("wrong username or password for " + payload.username);
  }
  return { id: found.username, name: found.name };
};
