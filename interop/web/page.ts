// The browser side of web_test.go: a page on an origin other than Lanyard's calls Lanyard's gRPC services
// with the generated client (gen/ts, the npm package @lanyardhq/lanyard-client) over both of connect-web's
// transports. For each it logs in anonymously, opens WatchCustomData, updates its custom data once the
// stream has sent the current document, waits for the stream to deliver the change, and makes a call that
// fails, to read the ErrorInfo reason from the error's details. The outcome goes into #result as
// "OK <json>" or "ERROR <message>", with data-done set, for the test to read from the DOM.
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { AuthService } from "@lanyardhq/lanyard-client/lanyard/v1/auth_pb.js";
import { CustomDataService } from "@lanyardhq/lanyard-client/lanyard/v1/custom_data_pb.js";
import { ErrorInfoSchema } from "@lanyardhq/lanyard-client/google/rpc/error_details_pb.js";

declare global {
  interface Window {
    LANYARD: { url: string };
  }
}

interface Outcome {
  user_id: string;
  watched: unknown;
  error_code: string;
  error_reason: string;
}

async function run(transport: Transport, marker: string): Promise<Outcome> {
  const auth = createClient(AuthService, transport);
  const data = createClient(CustomDataService, transport);
  const login = await auth.login({ credentials: { case: "anonymous", value: {} } });
  const headers = { authorization: `Bearer ${login.accessToken}` };

  // The stream is ended from here once the change came, so that no request stays open.
  const abort = new AbortController();
  let watched: unknown;
  let first = true;
  try {
    for await (const ev of data.watchCustomData({}, { headers, signal: abort.signal })) {
      if (first) {
        first = false;
        await data.updateCustomData({ set: { marker } }, { headers });
        continue;
      }
      if (ev.data?.marker === marker) {
        watched = ev.data.marker;
        break;
      }
    }
  } finally {
    abort.abort();
  }

  let errorCode = "none";
  let errorReason = "none";
  try {
    await auth.whoAmI({}, { headers: { authorization: "Bearer not-a-token" } });
  } catch (e) {
    const err = ConnectError.from(e);
    errorCode = Code[err.code];
    errorReason = err.findDetails(ErrorInfoSchema).map((i) => `${i.reason}/${i.domain}`).join(",");
  }
  return { user_id: login.userId, watched, error_code: errorCode, error_reason: errorReason };
}

(async () => {
  const out = document.getElementById("result")!;
  try {
    const baseUrl = window.LANYARD.url;
    const connect = await run(createConnectTransport({ baseUrl }), "connect");
    const grpcweb = await run(createGrpcWebTransport({ baseUrl }), "grpcweb");
    out.textContent = "OK " + JSON.stringify({ connect, grpcweb });
  } catch (err) {
    out.textContent = "ERROR " + (err instanceof Error ? err.message : String(err));
  }
  out.setAttribute("data-done", "1");
})();
