package com.lanyardhq.lanyard.hooks.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * UserCreationHookService is implemented by the operator's own service and called by Lanyard before a
 * new user exists (configured as custom data `on_user_creation`). Lanyard calls it with a deadline; an
 * error or a timeout fails the registration or first login with the hook's status message, and leaves no
 * user, identity, session or document behind.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: lanyard/hooks/v1/hooks.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class UserCreationHookServiceGrpc {

  private UserCreationHookServiceGrpc() {}

  public static final String SERVICE_NAME = "lanyard.hooks.v1.UserCreationHookService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest,
      com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> getOnUserCreationMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "OnUserCreation",
      requestType = com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest.class,
      responseType = com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest,
      com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> getOnUserCreationMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest, com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> getOnUserCreationMethod;
    if ((getOnUserCreationMethod = UserCreationHookServiceGrpc.getOnUserCreationMethod) == null) {
      synchronized (UserCreationHookServiceGrpc.class) {
        if ((getOnUserCreationMethod = UserCreationHookServiceGrpc.getOnUserCreationMethod) == null) {
          UserCreationHookServiceGrpc.getOnUserCreationMethod = getOnUserCreationMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest, com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "OnUserCreation"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse.getDefaultInstance()))
              .setSchemaDescriptor(new UserCreationHookServiceMethodDescriptorSupplier("OnUserCreation"))
              .build();
        }
      }
    }
    return getOnUserCreationMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static UserCreationHookServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceStub>() {
        @java.lang.Override
        public UserCreationHookServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserCreationHookServiceStub(channel, callOptions);
        }
      };
    return UserCreationHookServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static UserCreationHookServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceBlockingStub>() {
        @java.lang.Override
        public UserCreationHookServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserCreationHookServiceBlockingStub(channel, callOptions);
        }
      };
    return UserCreationHookServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static UserCreationHookServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<UserCreationHookServiceFutureStub>() {
        @java.lang.Override
        public UserCreationHookServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new UserCreationHookServiceFutureStub(channel, callOptions);
        }
      };
    return UserCreationHookServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * UserCreationHookService is implemented by the operator's own service and called by Lanyard before a
   * new user exists (configured as custom data `on_user_creation`). Lanyard calls it with a deadline; an
   * error or a timeout fails the registration or first login with the hook's status message, and leaves no
   * user, identity, session or document behind.
   * </pre>
   */
  public static abstract class UserCreationHookServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * OnUserCreation is told the new user's final id and provider metadata. The document it returns, if
     * any, becomes the user's custom data, so the very first access token already carries it.
     * Return any non-OK status to refuse the user; its message reaches the client.
     * </pre>
     */
    public void onUserCreation(com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getOnUserCreationMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getOnUserCreationMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest,
                com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse>(
                  this, METHODID_ON_USER_CREATION)))
          .build();
    }
  }

  /**
   * <pre>
   * UserCreationHookService is implemented by the operator's own service and called by Lanyard before a
   * new user exists (configured as custom data `on_user_creation`). Lanyard calls it with a deadline; an
   * error or a timeout fails the registration or first login with the hook's status message, and leaves no
   * user, identity, session or document behind.
   * </pre>
   */
  public static final class UserCreationHookServiceStub extends io.grpc.stub.AbstractAsyncStub<UserCreationHookServiceStub> {
    private UserCreationHookServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserCreationHookServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserCreationHookServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * OnUserCreation is told the new user's final id and provider metadata. The document it returns, if
     * any, becomes the user's custom data, so the very first access token already carries it.
     * Return any non-OK status to refuse the user; its message reaches the client.
     * </pre>
     */
    public void onUserCreation(com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getOnUserCreationMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * UserCreationHookService is implemented by the operator's own service and called by Lanyard before a
   * new user exists (configured as custom data `on_user_creation`). Lanyard calls it with a deadline; an
   * error or a timeout fails the registration or first login with the hook's status message, and leaves no
   * user, identity, session or document behind.
   * </pre>
   */
  public static final class UserCreationHookServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<UserCreationHookServiceBlockingStub> {
    private UserCreationHookServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserCreationHookServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserCreationHookServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * OnUserCreation is told the new user's final id and provider metadata. The document it returns, if
     * any, becomes the user's custom data, so the very first access token already carries it.
     * Return any non-OK status to refuse the user; its message reaches the client.
     * </pre>
     */
    public com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse onUserCreation(com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getOnUserCreationMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * UserCreationHookService is implemented by the operator's own service and called by Lanyard before a
   * new user exists (configured as custom data `on_user_creation`). Lanyard calls it with a deadline; an
   * error or a timeout fails the registration or first login with the hook's status message, and leaves no
   * user, identity, session or document behind.
   * </pre>
   */
  public static final class UserCreationHookServiceFutureStub extends io.grpc.stub.AbstractFutureStub<UserCreationHookServiceFutureStub> {
    private UserCreationHookServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected UserCreationHookServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new UserCreationHookServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * OnUserCreation is told the new user's final id and provider metadata. The document it returns, if
     * any, becomes the user's custom data, so the very first access token already carries it.
     * Return any non-OK status to refuse the user; its message reaches the client.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse> onUserCreation(
        com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getOnUserCreationMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_ON_USER_CREATION = 0;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final UserCreationHookServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(UserCreationHookServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_ON_USER_CREATION:
          serviceImpl.onUserCreation((com.lanyardhq.lanyard.hooks.v1.OnUserCreationRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.hooks.v1.OnUserCreationResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  private static abstract class UserCreationHookServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    UserCreationHookServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.lanyardhq.lanyard.hooks.v1.HooksProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("UserCreationHookService");
    }
  }

  private static final class UserCreationHookServiceFileDescriptorSupplier
      extends UserCreationHookServiceBaseDescriptorSupplier {
    UserCreationHookServiceFileDescriptorSupplier() {}
  }

  private static final class UserCreationHookServiceMethodDescriptorSupplier
      extends UserCreationHookServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    UserCreationHookServiceMethodDescriptorSupplier(String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (UserCreationHookServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new UserCreationHookServiceFileDescriptorSupplier())
              .addMethod(getOnUserCreationMethod())
              .build();
        }
      }
    }
    return result;
  }
}
