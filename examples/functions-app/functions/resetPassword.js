// Resets at once when the caller answers the security question; otherwise refuses.
exports = function ({ token, tokenId, username, password, currentPasswordValid }, answer) {
  return { status: answer === context.environment.values.securityAnswer ? "success" : "fail" };
};
