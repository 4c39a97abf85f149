// Logs in to Lanyard anonymously and prints the user id, then calls an AdminService RPC, which a normal
// user is refused, and prints the code and reason of the refusal. It exits non-zero when either step goes
// otherwise.
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { AdminService } from "@lanyardhq/lanyard-client/lanyard/v1/admin_pb.js";
import { AuthService } from "@lanyardhq/lanyard-client/lanyard/v1/auth_pb.js";
import { ErrorInfoSchema } from "@lanyardhq/lanyard-client/google/rpc/error_details_pb.js";

// The variable `lanyard serve` listens on, so that a shell that sets it for both agrees.
const target = process.env.LANYARD_GRPC_ADDR || "127.0.0.1:50051";
// Plain gRPC over HTTP/2 without TLS, as a development Lanyard listens; use https:// for TLS.
const transport = createGrpcTransport({ baseUrl: `http://${target}` });
const auth = createClient(AuthService, transport);
const admin = createClient(AdminService, transport);

const login = await auth.login({ credentials: { case: "anonymous", value: {} } }, { timeoutMs: 10_000 });
console.log(`user id: ${login.userId}`);

let err: ConnectError | undefined;
try {
  await admin.listUsers({}, { headers: { authorization: `Bearer ${login.accessToken}` }, timeoutMs: 10_000 });
} catch (e) {
  err = ConnectError.from(e);
}
const reason = err?.findDetails(ErrorInfoSchema)[0]?.reason;
console.log(`ListUsers: ${err ? Code[err.code] : "OK"} ${reason}`);
if (err?.code !== Code.PermissionDenied || reason !== "SERVER_PRINCIPAL_REQUIRED") {
  console.error("want PermissionDenied with reason SERVER_PRINCIPAL_REQUIRED");
  process.exit(1);
}
