// Confirms addresses of the app's own domain at once; others wait for confirmUser with the token this
// function sends them (here: kept in a collection, where an email sender of the app's would read it).
exports = async function ({ token, tokenId, username }) {
  if (username.endsWith("@" + context.values.get("trustedDomain"))) {
    return { status: "success" };
  }
  await context.services.get("mongodb-atlas").db("myapp").collection("outbox")
    .insertOne({ kind: "confirm", username, token, tokenId });
  return { status: "pending" };
};
