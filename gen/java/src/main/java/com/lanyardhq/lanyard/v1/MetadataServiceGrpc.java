package com.lanyardhq.lanyard.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * MetadataService shows the metadata authentication providers yield: the fields each provider is
 * configured to keep, and the user profile built from them.
 * Besides the errors listed, every RPC may return UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
 * DEADLINE_EXCEEDED and CANCELLED.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: lanyard/v1/metadata.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class MetadataServiceGrpc {

  private MetadataServiceGrpc() {}

  public static final String SERVICE_NAME = "lanyard.v1.MetadataService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetProfileRequest,
      com.lanyardhq.lanyard.v1.GetProfileResponse> getGetProfileMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetProfile",
      requestType = com.lanyardhq.lanyard.v1.GetProfileRequest.class,
      responseType = com.lanyardhq.lanyard.v1.GetProfileResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetProfileRequest,
      com.lanyardhq.lanyard.v1.GetProfileResponse> getGetProfileMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetProfileRequest, com.lanyardhq.lanyard.v1.GetProfileResponse> getGetProfileMethod;
    if ((getGetProfileMethod = MetadataServiceGrpc.getGetProfileMethod) == null) {
      synchronized (MetadataServiceGrpc.class) {
        if ((getGetProfileMethod = MetadataServiceGrpc.getGetProfileMethod) == null) {
          MetadataServiceGrpc.getGetProfileMethod = getGetProfileMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.GetProfileRequest, com.lanyardhq.lanyard.v1.GetProfileResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetProfile"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetProfileRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetProfileResponse.getDefaultInstance()))
              .setSchemaDescriptor(new MetadataServiceMethodDescriptorSupplier("GetProfile"))
              .build();
        }
      }
    }
    return getGetProfileMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest,
      com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> getListMetadataFieldsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListMetadataFields",
      requestType = com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest,
      com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> getListMetadataFieldsMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest, com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> getListMetadataFieldsMethod;
    if ((getListMetadataFieldsMethod = MetadataServiceGrpc.getListMetadataFieldsMethod) == null) {
      synchronized (MetadataServiceGrpc.class) {
        if ((getListMetadataFieldsMethod = MetadataServiceGrpc.getListMetadataFieldsMethod) == null) {
          MetadataServiceGrpc.getListMetadataFieldsMethod = getListMetadataFieldsMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest, com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListMetadataFields"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new MetadataServiceMethodDescriptorSupplier("ListMetadataFields"))
              .build();
        }
      }
    }
    return getListMetadataFieldsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static MetadataServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<MetadataServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<MetadataServiceStub>() {
        @java.lang.Override
        public MetadataServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new MetadataServiceStub(channel, callOptions);
        }
      };
    return MetadataServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static MetadataServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<MetadataServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<MetadataServiceBlockingStub>() {
        @java.lang.Override
        public MetadataServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new MetadataServiceBlockingStub(channel, callOptions);
        }
      };
    return MetadataServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static MetadataServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<MetadataServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<MetadataServiceFutureStub>() {
        @java.lang.Override
        public MetadataServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new MetadataServiceFutureStub(channel, callOptions);
        }
      };
    return MetadataServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * MetadataService shows the metadata authentication providers yield: the fields each provider is
   * configured to keep, and the user profile built from them.
   * Besides the errors listed, every RPC may return UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static abstract class MetadataServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * GetProfile returns the user's profile, read fresh from the store.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED): user_id names another user and the caller is not a
     *   server principal.
     * - NOT_FOUND (NOT_FOUND): no such user.
     * </pre>
     */
    public void getProfile(com.lanyardhq.lanyard.v1.GetProfileRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetProfileResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetProfileMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListMetadataFields returns the metadata fields configured for each enabled provider. Public: it holds
     * nothing secret.
     * </pre>
     */
    public void listMetadataFields(com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListMetadataFieldsMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getGetProfileMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.GetProfileRequest,
                com.lanyardhq.lanyard.v1.GetProfileResponse>(
                  this, METHODID_GET_PROFILE)))
          .addMethod(
            getListMetadataFieldsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest,
                com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse>(
                  this, METHODID_LIST_METADATA_FIELDS)))
          .build();
    }
  }

  /**
   * <pre>
   * MetadataService shows the metadata authentication providers yield: the fields each provider is
   * configured to keep, and the user profile built from them.
   * Besides the errors listed, every RPC may return UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class MetadataServiceStub extends io.grpc.stub.AbstractAsyncStub<MetadataServiceStub> {
    private MetadataServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected MetadataServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new MetadataServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetProfile returns the user's profile, read fresh from the store.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED): user_id names another user and the caller is not a
     *   server principal.
     * - NOT_FOUND (NOT_FOUND): no such user.
     * </pre>
     */
    public void getProfile(com.lanyardhq.lanyard.v1.GetProfileRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetProfileResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetProfileMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListMetadataFields returns the metadata fields configured for each enabled provider. Public: it holds
     * nothing secret.
     * </pre>
     */
    public void listMetadataFields(com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListMetadataFieldsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * MetadataService shows the metadata authentication providers yield: the fields each provider is
   * configured to keep, and the user profile built from them.
   * Besides the errors listed, every RPC may return UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class MetadataServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<MetadataServiceBlockingStub> {
    private MetadataServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected MetadataServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new MetadataServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetProfile returns the user's profile, read fresh from the store.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED): user_id names another user and the caller is not a
     *   server principal.
     * - NOT_FOUND (NOT_FOUND): no such user.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.GetProfileResponse getProfile(com.lanyardhq.lanyard.v1.GetProfileRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetProfileMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListMetadataFields returns the metadata fields configured for each enabled provider. Public: it holds
     * nothing secret.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse listMetadataFields(com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListMetadataFieldsMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * MetadataService shows the metadata authentication providers yield: the fields each provider is
   * configured to keep, and the user profile built from them.
   * Besides the errors listed, every RPC may return UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class MetadataServiceFutureStub extends io.grpc.stub.AbstractFutureStub<MetadataServiceFutureStub> {
    private MetadataServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected MetadataServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new MetadataServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetProfile returns the user's profile, read fresh from the store.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED): user_id names another user and the caller is not a
     *   server principal.
     * - NOT_FOUND (NOT_FOUND): no such user.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.GetProfileResponse> getProfile(
        com.lanyardhq.lanyard.v1.GetProfileRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetProfileMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListMetadataFields returns the metadata fields configured for each enabled provider. Public: it holds
     * nothing secret.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse> listMetadataFields(
        com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListMetadataFieldsMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_PROFILE = 0;
  private static final int METHODID_LIST_METADATA_FIELDS = 1;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final MetadataServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(MetadataServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET_PROFILE:
          serviceImpl.getProfile((com.lanyardhq.lanyard.v1.GetProfileRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetProfileResponse>) responseObserver);
          break;
        case METHODID_LIST_METADATA_FIELDS:
          serviceImpl.listMetadataFields((com.lanyardhq.lanyard.v1.ListMetadataFieldsRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListMetadataFieldsResponse>) responseObserver);
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

  private static abstract class MetadataServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    MetadataServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.lanyardhq.lanyard.v1.MetadataProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("MetadataService");
    }
  }

  private static final class MetadataServiceFileDescriptorSupplier
      extends MetadataServiceBaseDescriptorSupplier {
    MetadataServiceFileDescriptorSupplier() {}
  }

  private static final class MetadataServiceMethodDescriptorSupplier
      extends MetadataServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    MetadataServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (MetadataServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new MetadataServiceFileDescriptorSupplier())
              .addMethod(getGetProfileMethod())
              .addMethod(getListMetadataFieldsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
