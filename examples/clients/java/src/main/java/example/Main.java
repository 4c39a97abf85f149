package example;

import com.google.protobuf.Any;
import com.google.rpc.ErrorInfo;
import com.lanyardhq.lanyard.v1.AdminServiceGrpc;
import com.lanyardhq.lanyard.v1.AnonymousCredentials;
import com.lanyardhq.lanyard.v1.AuthServiceGrpc;
import com.lanyardhq.lanyard.v1.ListUsersRequest;
import com.lanyardhq.lanyard.v1.LoginRequest;
import com.lanyardhq.lanyard.v1.LoginResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.MetadataUtils;
import java.util.concurrent.TimeUnit;

/**
 * Logs in to Lanyard anonymously and prints the user id, then calls an AdminService RPC, which a normal user
 * is refused, and prints the code and reason of the refusal. It exits non-zero when either step goes
 * otherwise.
 */
public final class Main {
  public static void main(String[] args) throws Exception {
    // The variable `lanyard serve` listens on, so that a shell that sets it for both agrees.
    String target = System.getenv("LANYARD_GRPC_ADDR");
    if (target == null || target.isEmpty()) {
      target = "127.0.0.1:50051";
    }
    // Plaintext, as a development Lanyard listens; leave out usePlaintext() for TLS.
    ManagedChannel ch = ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    try {
      var auth = AuthServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
      LoginResponse login = auth.login(LoginRequest.newBuilder().setAnonymous(AnonymousCredentials.getDefaultInstance()).build());
      System.out.println("user id: " + login.getUserId());

      Metadata md = new Metadata();
      md.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + login.getAccessToken());
      var admin = AdminServiceGrpc.newBlockingStub(ch).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
      Status.Code code = Status.Code.OK;
      String reason = "";
      try {
        admin.withDeadlineAfter(10, TimeUnit.SECONDS).listUsers(ListUsersRequest.getDefaultInstance());
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
        // The google.rpc.Status of the grpc-status-details-bin trailer carries the google.rpc.ErrorInfo.
        for (Any detail : StatusProto.fromThrowable(e).getDetailsList()) {
          if (detail.is(ErrorInfo.class)) {
            reason = detail.unpack(ErrorInfo.class).getReason();
          }
        }
      }
      System.out.println("ListUsers: " + code + " " + reason);
      if (code != Status.Code.PERMISSION_DENIED || !reason.equals("SERVER_PRINCIPAL_REQUIRED")) {
        System.err.println("want PERMISSION_DENIED with reason SERVER_PRINCIPAL_REQUIRED");
        System.exit(1);
      }
    } finally {
      ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }
}
