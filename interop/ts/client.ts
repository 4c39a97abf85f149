// End-to-end check of the TypeScript client (gen/ts, installed as the npm package @lanyardhq/lanyard-client:
// protoc-gen-es + Connect-ES over plain gRPC) against a live Lanyard. Run by interop/clients_test.go as
// `npx tsx client.ts` with:
//   LANYARD_GRPC_ADDR       host:port of Lanyard's gRPC listener (plaintext)
//   LANYARD_SERVER_API_KEY  a server API key (`lanyard apikey create --server NAME`)
// It prints every check it makes and exits non-zero at the first one that fails.

import { Code, ConnectError, createClient, type CallOptions } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import type { JsonObject } from "@bufbuild/protobuf";

import { AdminService } from "@lanyardhq/lanyard-client/lanyard/v1/admin_pb.js";
import { AuthService } from "@lanyardhq/lanyard-client/lanyard/v1/auth_pb.js";
import { CustomDataService } from "@lanyardhq/lanyard-client/lanyard/v1/custom_data_pb.js";
import { ErrorInfoSchema } from "@lanyardhq/lanyard-client/google/rpc/error_details_pb.js";

const addr = mustEnv("LANYARD_GRPC_ADDR");
const serverKey = mustEnv("LANYARD_SERVER_API_KEY");

let checks = 0;

function mustEnv(name: string): string {
  const v = process.env[name];
  if (!v) fail(`${name} is not set`);
  return v;
}

function fail(msg: string): never {
  console.error(`FAIL: ${msg}`);
  process.exit(1);
}

function check(cond: boolean, what: string, detail = ""): void {
  if (!cond) fail(detail ? `${what}: ${detail}` : what);
  checks++;
  console.log(`ok   ${what}`);
}

// bearer returns call options that send an access token, with a deadline.
function bearer(token: string, timeoutMs = 10_000): CallOptions {
  return { headers: { authorization: `Bearer ${token}` }, timeoutMs };
}

// expectError runs call, which must fail with code and an ErrorInfo (domain "lanyard") with reason, decoded
// from the grpc-status-details-bin trailer.
async function expectError(what: string, call: () => Promise<unknown>, code: Code, reason: string): Promise<void> {
  let err: ConnectError;
  try {
    await call();
    fail(`${what}: succeeded, want ${Code[code]}`);
  } catch (e) {
    err = ConnectError.from(e);
  }
  check(err.code === code, `${what}: code ${Code[code]}`, `got ${Code[err.code]} (${err.rawMessage})`);
  const infos = err.findDetails(ErrorInfoSchema);
  check(infos.length === 1, `${what}: one google.rpc.ErrorInfo in the status details`, `got ${infos.length}`);
  check(infos[0].domain === "lanyard", `${what}: ErrorInfo domain "lanyard"`, `got ${JSON.stringify(infos[0].domain)}`);
  check(infos[0].reason === reason, `${what}: ErrorInfo reason ${reason}`, `got ${JSON.stringify(infos[0].reason)}`);
}

function field(data: JsonObject | undefined, name: string): unknown {
  return data === undefined ? undefined : data[name];
}

async function main(): Promise<void> {
  const transport = createGrpcTransport({ baseUrl: `http://${addr}` });
  const auth = createClient(AuthService, transport);
  const data = createClient(CustomDataService, transport);
  const admin = createClient(AdminService, transport);

  // Anonymous login.
  const login = await auth.login({ credentials: { case: "anonymous", value: {} } }, { timeoutMs: 10_000 });
  check(login.accessToken !== "" && login.refreshToken !== "", "Login(anonymous) returns an access and a refresh token");
  check(login.userId !== "" && login.user?.userId === login.userId, "Login returns the new user", login.userId);
  check(login.user?.identities[0]?.providerType === "anon-user", 'Login: the identity is "anon-user"',
    login.user?.identities[0]?.providerType ?? "none");

  // An authenticated RPC, with and without a token.
  const me = await auth.whoAmI({}, bearer(login.accessToken));
  check(me.userId === login.userId, "WhoAmI names the logged-in user", me.userId);
  check(me.userType === "normal", 'WhoAmI: user_type "normal"', me.userType);
  await expectError("WhoAmI without a token", () => auth.whoAmI({}, { timeoutMs: 10_000 }), Code.Unauthenticated,
    "TOKEN_MISSING");

  // Custom data: update, then read back.
  const upd = await data.updateCustomData({ set: { color: "blue", tags: ["a", "b"] }, inc: { visits: 1 } },
    bearer(login.accessToken));
  check(upd.version >= 1n, "UpdateCustomData returns version >= 1", String(upd.version));
  check(upd.accessToken !== "", "UpdateCustomData returns a fresh access token for the caller");
  const got = await data.getCustomData({}, bearer(login.accessToken));
  check(field(got.data, "color") === "blue", 'GetCustomData shows color "blue"', JSON.stringify(got.data));
  check(field(got.data, "visits") === 1, "GetCustomData shows visits 1", JSON.stringify(got.data));
  check(JSON.stringify(field(got.data, "tags")) === '["a","b"]', 'GetCustomData shows tags ["a","b"]');
  check(got.version === upd.version, "GetCustomData shows the updated version", `${got.version} vs ${upd.version}`);

  // Refresh: gRPC sessions rotate the refresh token.
  const ref = await auth.refreshSession({ refreshToken: login.refreshToken }, { timeoutMs: 10_000 });
  check(ref.refreshToken !== "" && ref.refreshToken !== login.refreshToken, "RefreshSession rotates the refresh token");
  const me2 = await auth.whoAmI({}, bearer(ref.accessToken));
  check(me2.userId === login.userId && me2.sessionId === me.sessionId,
    "the refreshed access token works for the same user and session");
  check(field(me2.userData, "color") === "blue", "the refreshed access token carries the custom data",
    JSON.stringify(me2.userData));

  // Watch: the current document first, then our own change.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 20_000);
  const stream = data.watchCustomData({}, { headers: { authorization: `Bearer ${ref.accessToken}` }, signal: abort.signal });
  let first = true;
  let before = 0n;
  let sawChange = false;
  try {
    for await (const ev of stream) {
      if (first) {
        first = false;
        check(field(ev.data, "color") === "blue", 'WatchCustomData first sends the current document (color "blue")',
          JSON.stringify(ev.data));
        before = ev.version;
        const u = await data.updateCustomData({ set: { color: "green" } }, bearer(ref.accessToken));
        check(u.version > before, "UpdateCustomData during the watch bumps the version");
        continue;
      }
      if (field(ev.data, "color") === "green") {
        check(ev.version > before, "WatchCustomData delivers the change (color \"green\", newer version)",
          `${ev.version} vs ${before}`);
        sawChange = true;
        break;
      }
    }
  } catch (e) {
    const err = ConnectError.from(e);
    if (!abort.signal.aborted) throw e;
    fail(`WatchCustomData: no update within 20 s (${err.message})`);
  } finally {
    clearTimeout(timer);
    abort.abort(); // ends the stream
  }
  check(sawChange, "WatchCustomData stream saw the change before it ended");

  // Admin RPCs need a server principal.
  await expectError("AdminService.GetUser as a normal user",
    () => admin.getUser({ userId: login.userId }, bearer(ref.accessToken)), Code.PermissionDenied,
    "SERVER_PRINCIPAL_REQUIRED");
  const srv = await auth.login({ credentials: { case: "apiKey", value: { key: serverKey } } }, { timeoutMs: 10_000 });
  const srvMe = await auth.whoAmI({}, bearer(srv.accessToken));
  check(srvMe.userType === "server", 'Login with the server API key: user_type "server"', srvMe.userType);
  const u = await admin.getUser({ userId: login.userId }, bearer(srv.accessToken));
  check(u.user?.userId === login.userId, "AdminService.GetUser as the server principal returns the user");

  console.log(`PASS: typescript client, ${checks} checks`);
}

main().catch((e: unknown) => {
  const err = ConnectError.from(e);
  fail(`unexpected error: [${Code[err.code]}] ${err.rawMessage}${e instanceof Error && e.stack ? `\n${e.stack}` : ""}`);
});
