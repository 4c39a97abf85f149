// End-to-end check of the Java client (gen/java, the Maven module com.lanyardhq:lanyard-client: protoc's Java
// output and grpc_java_plugin, with grpc-java) against a live Lanyard. Run by interop/clients_test.go:
// compiled with javac against the jar Maven builds from gen/java and Debian's jars, then run with
// LANYARD_GRPC_ADDR (host:port of Lanyard's plaintext gRPC listener) and LANYARD_SERVER_API_KEY (a server
// API key) set. It prints every check it makes and exits non-zero at the first one that fails.

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.rpc.ErrorInfo;
import com.lanyardhq.lanyard.v1.AdminServiceGrpc;
import com.lanyardhq.lanyard.v1.AnonymousCredentials;
import com.lanyardhq.lanyard.v1.ApiKeyCredentials;
import com.lanyardhq.lanyard.v1.AuthServiceGrpc;
import com.lanyardhq.lanyard.v1.CustomDataServiceGrpc;
import com.lanyardhq.lanyard.v1.GetCustomDataRequest;
import com.lanyardhq.lanyard.v1.GetCustomDataResponse;
import com.lanyardhq.lanyard.v1.GetUserRequest;
import com.lanyardhq.lanyard.v1.GetUserResponse;
import com.lanyardhq.lanyard.v1.LoginRequest;
import com.lanyardhq.lanyard.v1.LoginResponse;
import com.lanyardhq.lanyard.v1.RefreshSessionRequest;
import com.lanyardhq.lanyard.v1.RefreshSessionResponse;
import com.lanyardhq.lanyard.v1.UpdateCustomDataRequest;
import com.lanyardhq.lanyard.v1.UpdateCustomDataResponse;
import com.lanyardhq.lanyard.v1.WatchCustomDataRequest;
import com.lanyardhq.lanyard.v1.WatchCustomDataResponse;
import com.lanyardhq.lanyard.v1.WhoAmIRequest;
import com.lanyardhq.lanyard.v1.WhoAmIResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

public final class LanyardClient {
  private static final long TIMEOUT_SECONDS = 10;
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static int checks = 0;

  private static void fail(String msg) {
    System.out.println("FAIL: " + msg);
    System.out.flush();
    System.exit(1);
  }

  private static void check(boolean cond, String what, String detail) {
    if (!cond) {
      fail(detail.isEmpty() ? what : what + ": " + detail);
    }
    checks++;
    System.out.println("ok   " + what);
  }

  private static void check(boolean cond, String what) {
    check(cond, what, "");
  }

  /** withToken returns stub sending `authorization: Bearer token`, with a deadline. */
  private static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    Metadata md = new Metadata();
    md.put(AUTHORIZATION, "Bearer " + token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md))
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static <S extends AbstractStub<S>> S deadline(S stub) {
    return stub.withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static Value str(String s) {
    return Value.newBuilder().setStringValue(s).build();
  }

  private static Value num(double d) {
    return Value.newBuilder().setNumberValue(d).build();
  }

  private static Value field(Struct s, String name) {
    return s.getFieldsOrDefault(name, Value.getDefaultInstance());
  }

  /** The ErrorInfo decoded from the grpc-status-details-bin trailer of e, or null. */
  private static ErrorInfo errorInfo(StatusRuntimeException e) throws InvalidProtocolBufferException {
    com.google.rpc.Status st = StatusProto.fromThrowable(e);
    if (st == null) {
      return null;
    }
    check(st.getCode() == e.getStatus().getCode().value(), "status details carry the call's status code");
    for (Any detail : st.getDetailsList()) {
      if (detail.is(ErrorInfo.class)) {
        return detail.unpack(ErrorInfo.class);
      }
    }
    return null;
  }

  private interface Call {
    void run();
  }

  private static void expectError(String what, Call call, Status.Code code, String reason)
      throws InvalidProtocolBufferException {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      check(e.getStatus().getCode() == code, what + ": code " + code,
          "got " + e.getStatus().getCode() + " (" + e.getStatus().getDescription() + ")");
      ErrorInfo info = errorInfo(e);
      check(info != null, what + ": a google.rpc.ErrorInfo in the status details");
      check(info.getDomain().equals("lanyard"), what + ": ErrorInfo domain \"lanyard\"", info.getDomain());
      check(info.getReason().equals(reason), what + ": ErrorInfo reason " + reason, info.getReason());
      return;
    }
    fail(what + ": succeeded, want " + code);
  }

  public static void main(String[] args) throws Exception {
    String addr = System.getenv("LANYARD_GRPC_ADDR");
    String serverKey = System.getenv("LANYARD_SERVER_API_KEY");
    if (addr == null || addr.isEmpty() || serverKey == null || serverKey.isEmpty()) {
      fail("LANYARD_GRPC_ADDR and LANYARD_SERVER_API_KEY must be set");
    }
    ManagedChannel channel = ManagedChannelBuilder.forTarget(addr).usePlaintext().build();
    try {
      run(channel, serverKey);
    } catch (StatusRuntimeException e) {
      fail("unexpected error: " + e.getStatus());
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    System.out.println("PASS: java client, " + checks + " checks");
  }

  private static void run(ManagedChannel channel, String serverKey) throws Exception {
    AuthServiceGrpc.AuthServiceBlockingStub auth = AuthServiceGrpc.newBlockingStub(channel);
    CustomDataServiceGrpc.CustomDataServiceBlockingStub data = CustomDataServiceGrpc.newBlockingStub(channel);
    AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel);

    // Anonymous login.
    LoginResponse login = deadline(auth).login(
        LoginRequest.newBuilder().setAnonymous(AnonymousCredentials.getDefaultInstance()).build());
    check(!login.getAccessToken().isEmpty() && !login.getRefreshToken().isEmpty(),
        "Login(anonymous) returns an access and a refresh token");
    check(!login.getUserId().isEmpty() && login.getUser().getUserId().equals(login.getUserId()),
        "Login returns the new user", login.getUserId());
    check(login.getUser().getIdentities(0).getProviderType().equals("anon-user"),
        "Login: the identity is \"anon-user\"");

    // An authenticated RPC, with and without a token.
    WhoAmIResponse me = withToken(auth, login.getAccessToken()).whoAmI(WhoAmIRequest.getDefaultInstance());
    check(me.getUserId().equals(login.getUserId()), "WhoAmI names the logged-in user", me.getUserId());
    check(me.getUserType().equals("normal"), "WhoAmI: user_type \"normal\"", me.getUserType());
    expectError("WhoAmI without a token", () -> deadline(auth).whoAmI(WhoAmIRequest.getDefaultInstance()),
        Status.Code.UNAUTHENTICATED, "TOKEN_MISSING");

    // Custom data: update, then read back.
    Struct set = Struct.newBuilder()
        .putFields("color", str("blue"))
        .putFields("tags", Value.newBuilder()
            .setListValue(ListValue.newBuilder().addValues(str("a")).addValues(str("b"))).build())
        .build();
    UpdateCustomDataResponse upd = withToken(data, login.getAccessToken()).updateCustomData(
        UpdateCustomDataRequest.newBuilder()
            .setSet(set)
            .setInc(Struct.newBuilder().putFields("visits", num(1)))
            .build());
    check(upd.getVersion() >= 1, "UpdateCustomData returns version >= 1", Long.toString(upd.getVersion()));
    check(!upd.getAccessToken().isEmpty(), "UpdateCustomData returns a fresh access token for the caller");
    GetCustomDataResponse got =
        withToken(data, login.getAccessToken()).getCustomData(GetCustomDataRequest.getDefaultInstance());
    check(field(got.getData(), "color").getStringValue().equals("blue"), "GetCustomData shows color \"blue\"",
        got.getData().toString());
    check(field(got.getData(), "visits").getNumberValue() == 1, "GetCustomData shows visits 1",
        got.getData().toString());
    check(field(got.getData(), "tags").getListValue().equals(set.getFieldsOrThrow("tags").getListValue()),
        "GetCustomData shows tags [\"a\", \"b\"]");
    check(got.getVersion() == upd.getVersion(), "GetCustomData shows the updated version",
        got.getVersion() + " vs " + upd.getVersion());

    // Refresh: gRPC sessions rotate the refresh token.
    RefreshSessionResponse ref = deadline(auth).refreshSession(
        RefreshSessionRequest.newBuilder().setRefreshToken(login.getRefreshToken()).build());
    check(!ref.getRefreshToken().isEmpty() && !ref.getRefreshToken().equals(login.getRefreshToken()),
        "RefreshSession rotates the refresh token");
    WhoAmIResponse me2 = withToken(auth, ref.getAccessToken()).whoAmI(WhoAmIRequest.getDefaultInstance());
    check(me2.getUserId().equals(login.getUserId()) && me2.getSessionId().equals(me.getSessionId()),
        "the refreshed access token works for the same user and session");
    check(field(me2.getUserData(), "color").getStringValue().equals("blue"),
        "the refreshed access token carries the custom data", me2.getUserData().toString());

    // Watch: the current document first, then our own change. The cancellable context ends the stream.
    Context.CancellableContext watch = Context.current().withCancellation();
    Context previous = watch.attach();
    try {
      Iterator<WatchCustomDataResponse> stream = withToken(data, ref.getAccessToken())
          .withDeadlineAfter(20, TimeUnit.SECONDS)
          .watchCustomData(WatchCustomDataRequest.getDefaultInstance());
      WatchCustomDataResponse first = stream.next();
      check(field(first.getData(), "color").getStringValue().equals("blue"),
          "WatchCustomData first sends the current document (color \"blue\")", first.getData().toString());
      UpdateCustomDataResponse u = withToken(data, ref.getAccessToken()).updateCustomData(
          UpdateCustomDataRequest.newBuilder()
              .setSet(Struct.newBuilder().putFields("color", str("green")))
              .build());
      check(u.getVersion() > first.getVersion(), "UpdateCustomData during the watch bumps the version");
      boolean seen = false;
      while (stream.hasNext()) {
        WatchCustomDataResponse ev = stream.next();
        if (field(ev.getData(), "color").getStringValue().equals("green")) {
          check(ev.getVersion() > first.getVersion(),
              "WatchCustomData delivers the change (color \"green\", newer version)");
          seen = true;
          break;
        }
      }
      check(seen, "WatchCustomData stream saw the change before it ended");
    } catch (StatusRuntimeException e) {
      fail("WatchCustomData: " + e.getStatus());
    } finally {
      watch.detach(previous);
      watch.cancel(null);
    }

    // Admin RPCs need a server principal.
    expectError("AdminService.GetUser as a normal user",
        () -> withToken(admin, ref.getAccessToken())
            .getUser(GetUserRequest.newBuilder().setUserId(login.getUserId()).build()),
        Status.Code.PERMISSION_DENIED, "SERVER_PRINCIPAL_REQUIRED");
    LoginResponse srv = deadline(auth).login(LoginRequest.newBuilder()
        .setApiKey(ApiKeyCredentials.newBuilder().setKey(serverKey)).build());
    WhoAmIResponse srvMe = withToken(auth, srv.getAccessToken()).whoAmI(WhoAmIRequest.getDefaultInstance());
    check(srvMe.getUserType().equals("server"), "Login with the server API key: user_type \"server\"",
        srvMe.getUserType());
    GetUserResponse user = withToken(admin, srv.getAccessToken())
        .getUser(GetUserRequest.newBuilder().setUserId(login.getUserId()).build());
    check(user.getUser().getUserId().equals(login.getUserId()),
        "AdminService.GetUser as the server principal returns the user");
  }
}
