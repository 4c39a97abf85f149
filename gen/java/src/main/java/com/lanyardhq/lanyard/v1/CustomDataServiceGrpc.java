package com.lanyardhq.lanyard.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * CustomDataService reads and writes custom user data: the one document per user in the configured
 * collection whose user id field equals the user's id. When several documents match, the first inserted
 * wins (string ids before ObjectId ids, then the smallest _id), for every read, token and write.
 * Documents cross the API as Relaxed Extended JSON v2 in a google.protobuf.Struct: ObjectIds, dates and
 * binaries keep their wrappers ({"$oid": ...}, {"$date": ...}, {"$binary": ...}) and an int64 outside
 * +-2^53 keeps {"$numberLong": "..."}, so that numbers stay exact.
 * Every RPC takes an optional `user_id`: empty means the caller; another user's id is allowed only for
 * server principals (PERMISSION_DENIED with SERVER_PRINCIPAL_REQUIRED otherwise). Besides the errors
 * listed, every RPC may return UNAUTHENTICATED (TOKEN_*), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
 * DEADLINE_EXCEEDED and CANCELLED.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: lanyard/v1/custom_data.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class CustomDataServiceGrpc {

  private CustomDataServiceGrpc() {}

  public static final String SERVICE_NAME = "lanyard.v1.CustomDataService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetCustomDataRequest,
      com.lanyardhq.lanyard.v1.GetCustomDataResponse> getGetCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetCustomData",
      requestType = com.lanyardhq.lanyard.v1.GetCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.GetCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetCustomDataRequest,
      com.lanyardhq.lanyard.v1.GetCustomDataResponse> getGetCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetCustomDataRequest, com.lanyardhq.lanyard.v1.GetCustomDataResponse> getGetCustomDataMethod;
    if ((getGetCustomDataMethod = CustomDataServiceGrpc.getGetCustomDataMethod) == null) {
      synchronized (CustomDataServiceGrpc.class) {
        if ((getGetCustomDataMethod = CustomDataServiceGrpc.getGetCustomDataMethod) == null) {
          CustomDataServiceGrpc.getGetCustomDataMethod = getGetCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.GetCustomDataRequest, com.lanyardhq.lanyard.v1.GetCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CustomDataServiceMethodDescriptorSupplier("GetCustomData"))
              .build();
        }
      }
    }
    return getGetCustomDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.UpdateCustomDataRequest,
      com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> getUpdateCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateCustomData",
      requestType = com.lanyardhq.lanyard.v1.UpdateCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.UpdateCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.UpdateCustomDataRequest,
      com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> getUpdateCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.UpdateCustomDataRequest, com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> getUpdateCustomDataMethod;
    if ((getUpdateCustomDataMethod = CustomDataServiceGrpc.getUpdateCustomDataMethod) == null) {
      synchronized (CustomDataServiceGrpc.class) {
        if ((getUpdateCustomDataMethod = CustomDataServiceGrpc.getUpdateCustomDataMethod) == null) {
          CustomDataServiceGrpc.getUpdateCustomDataMethod = getUpdateCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.UpdateCustomDataRequest, com.lanyardhq.lanyard.v1.UpdateCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.UpdateCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.UpdateCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CustomDataServiceMethodDescriptorSupplier("UpdateCustomData"))
              .build();
        }
      }
    }
    return getUpdateCustomDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteCustomDataRequest,
      com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> getDeleteCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteCustomData",
      requestType = com.lanyardhq.lanyard.v1.DeleteCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DeleteCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteCustomDataRequest,
      com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> getDeleteCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteCustomDataRequest, com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> getDeleteCustomDataMethod;
    if ((getDeleteCustomDataMethod = CustomDataServiceGrpc.getDeleteCustomDataMethod) == null) {
      synchronized (CustomDataServiceGrpc.class) {
        if ((getDeleteCustomDataMethod = CustomDataServiceGrpc.getDeleteCustomDataMethod) == null) {
          CustomDataServiceGrpc.getDeleteCustomDataMethod = getDeleteCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DeleteCustomDataRequest, com.lanyardhq.lanyard.v1.DeleteCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CustomDataServiceMethodDescriptorSupplier("DeleteCustomData"))
              .build();
        }
      }
    }
    return getDeleteCustomDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshCustomDataRequest,
      com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> getRefreshCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RefreshCustomData",
      requestType = com.lanyardhq.lanyard.v1.RefreshCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RefreshCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshCustomDataRequest,
      com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> getRefreshCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshCustomDataRequest, com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> getRefreshCustomDataMethod;
    if ((getRefreshCustomDataMethod = CustomDataServiceGrpc.getRefreshCustomDataMethod) == null) {
      synchronized (CustomDataServiceGrpc.class) {
        if ((getRefreshCustomDataMethod = CustomDataServiceGrpc.getRefreshCustomDataMethod) == null) {
          CustomDataServiceGrpc.getRefreshCustomDataMethod = getRefreshCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RefreshCustomDataRequest, com.lanyardhq.lanyard.v1.RefreshCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RefreshCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RefreshCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RefreshCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CustomDataServiceMethodDescriptorSupplier("RefreshCustomData"))
              .build();
        }
      }
    }
    return getRefreshCustomDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchCustomDataRequest,
      com.lanyardhq.lanyard.v1.WatchCustomDataResponse> getWatchCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchCustomData",
      requestType = com.lanyardhq.lanyard.v1.WatchCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.WatchCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchCustomDataRequest,
      com.lanyardhq.lanyard.v1.WatchCustomDataResponse> getWatchCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchCustomDataRequest, com.lanyardhq.lanyard.v1.WatchCustomDataResponse> getWatchCustomDataMethod;
    if ((getWatchCustomDataMethod = CustomDataServiceGrpc.getWatchCustomDataMethod) == null) {
      synchronized (CustomDataServiceGrpc.class) {
        if ((getWatchCustomDataMethod = CustomDataServiceGrpc.getWatchCustomDataMethod) == null) {
          CustomDataServiceGrpc.getWatchCustomDataMethod = getWatchCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.WatchCustomDataRequest, com.lanyardhq.lanyard.v1.WatchCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WatchCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WatchCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new CustomDataServiceMethodDescriptorSupplier("WatchCustomData"))
              .build();
        }
      }
    }
    return getWatchCustomDataMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static CustomDataServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceStub>() {
        @java.lang.Override
        public CustomDataServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CustomDataServiceStub(channel, callOptions);
        }
      };
    return CustomDataServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static CustomDataServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceBlockingStub>() {
        @java.lang.Override
        public CustomDataServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CustomDataServiceBlockingStub(channel, callOptions);
        }
      };
    return CustomDataServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static CustomDataServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<CustomDataServiceFutureStub>() {
        @java.lang.Override
        public CustomDataServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new CustomDataServiceFutureStub(channel, callOptions);
        }
      };
    return CustomDataServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * CustomDataService reads and writes custom user data: the one document per user in the configured
   * collection whose user id field equals the user's id. When several documents match, the first inserted
   * wins (string ids before ObjectId ids, then the smallest _id), for every read, token and write.
   * Documents cross the API as Relaxed Extended JSON v2 in a google.protobuf.Struct: ObjectIds, dates and
   * binaries keep their wrappers ({"$oid": ...}, {"$date": ...}, {"$binary": ...}) and an int64 outside
   * +-2^53 keeps {"$numberLong": "..."}, so that numbers stay exact.
   * Every RPC takes an optional `user_id`: empty means the caller; another user's id is allowed only for
   * server principals (PERMISSION_DENIED with SERVER_PRINCIPAL_REQUIRED otherwise). Besides the errors
   * listed, every RPC may return UNAUTHENTICATED (TOKEN_*), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static abstract class CustomDataServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * GetCustomData returns the user's document, read fresh from the store.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - NOT_FOUND (NOT_FOUND): custom data is disabled or the user does not exist.
     * </pre>
     */
    public void getCustomData(com.lanyardhq.lanyard.v1.GetCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetCustomDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * UpdateCustomData sets fields, unsets paths and increments numbers in the user's document, creating it
     * when missing. Concurrent updates through Lanyard are never lost and never create a second document.
     * When callers update their own data the response carries a fresh access token with the new document.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): `$`-prefixed or empty keys, the user id field, a non-number
     *   increment, a path in two lists; (CUSTOM_DATA_TOO_LARGE) the result exceeds the size limit.
     * - ABORTED (VERSION_MISMATCH): expected_version differs from the stored version.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void updateCustomData(com.lanyardhq.lanyard.v1.UpdateCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateCustomDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteCustomData deletes the user's winning document. Deleting a missing document succeeds.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void deleteCustomData(com.lanyardhq.lanyard.v1.DeleteCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteCustomDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * RefreshCustomData is App Services' refreshCustomData: a new access token for the caller's session
     * carrying the current document, and the document itself.
     * Errors include:
     * - UNAUTHENTICATED (SESSION_REVOKED).
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void refreshCustomData(com.lanyardhq.lanyard.v1.RefreshCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRefreshCustomDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * WatchCustomData streams the user's current document, then the document after every change. Changes
     * made through Lanyard arrive at once; changes by other writers within one poll interval.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - UNAVAILABLE (STORE_UNAVAILABLE, UNAVAILABLE): the store was lost or the server is stopping;
     *   reconnect.
     * </pre>
     */
    public void watchCustomData(com.lanyardhq.lanyard.v1.WatchCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchCustomDataMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getGetCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.GetCustomDataRequest,
                com.lanyardhq.lanyard.v1.GetCustomDataResponse>(
                  this, METHODID_GET_CUSTOM_DATA)))
          .addMethod(
            getUpdateCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.UpdateCustomDataRequest,
                com.lanyardhq.lanyard.v1.UpdateCustomDataResponse>(
                  this, METHODID_UPDATE_CUSTOM_DATA)))
          .addMethod(
            getDeleteCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DeleteCustomDataRequest,
                com.lanyardhq.lanyard.v1.DeleteCustomDataResponse>(
                  this, METHODID_DELETE_CUSTOM_DATA)))
          .addMethod(
            getRefreshCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RefreshCustomDataRequest,
                com.lanyardhq.lanyard.v1.RefreshCustomDataResponse>(
                  this, METHODID_REFRESH_CUSTOM_DATA)))
          .addMethod(
            getWatchCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.WatchCustomDataRequest,
                com.lanyardhq.lanyard.v1.WatchCustomDataResponse>(
                  this, METHODID_WATCH_CUSTOM_DATA)))
          .build();
    }
  }

  /**
   * <pre>
   * CustomDataService reads and writes custom user data: the one document per user in the configured
   * collection whose user id field equals the user's id. When several documents match, the first inserted
   * wins (string ids before ObjectId ids, then the smallest _id), for every read, token and write.
   * Documents cross the API as Relaxed Extended JSON v2 in a google.protobuf.Struct: ObjectIds, dates and
   * binaries keep their wrappers ({"$oid": ...}, {"$date": ...}, {"$binary": ...}) and an int64 outside
   * +-2^53 keeps {"$numberLong": "..."}, so that numbers stay exact.
   * Every RPC takes an optional `user_id`: empty means the caller; another user's id is allowed only for
   * server principals (PERMISSION_DENIED with SERVER_PRINCIPAL_REQUIRED otherwise). Besides the errors
   * listed, every RPC may return UNAUTHENTICATED (TOKEN_*), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class CustomDataServiceStub extends io.grpc.stub.AbstractAsyncStub<CustomDataServiceStub> {
    private CustomDataServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CustomDataServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CustomDataServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetCustomData returns the user's document, read fresh from the store.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - NOT_FOUND (NOT_FOUND): custom data is disabled or the user does not exist.
     * </pre>
     */
    public void getCustomData(com.lanyardhq.lanyard.v1.GetCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetCustomDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * UpdateCustomData sets fields, unsets paths and increments numbers in the user's document, creating it
     * when missing. Concurrent updates through Lanyard are never lost and never create a second document.
     * When callers update their own data the response carries a fresh access token with the new document.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): `$`-prefixed or empty keys, the user id field, a non-number
     *   increment, a path in two lists; (CUSTOM_DATA_TOO_LARGE) the result exceeds the size limit.
     * - ABORTED (VERSION_MISMATCH): expected_version differs from the stored version.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void updateCustomData(com.lanyardhq.lanyard.v1.UpdateCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateCustomDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteCustomData deletes the user's winning document. Deleting a missing document succeeds.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void deleteCustomData(com.lanyardhq.lanyard.v1.DeleteCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteCustomDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RefreshCustomData is App Services' refreshCustomData: a new access token for the caller's session
     * carrying the current document, and the document itself.
     * Errors include:
     * - UNAUTHENTICATED (SESSION_REVOKED).
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public void refreshCustomData(com.lanyardhq.lanyard.v1.RefreshCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRefreshCustomDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WatchCustomData streams the user's current document, then the document after every change. Changes
     * made through Lanyard arrive at once; changes by other writers within one poll interval.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - UNAVAILABLE (STORE_UNAVAILABLE, UNAVAILABLE): the store was lost or the server is stopping;
     *   reconnect.
     * </pre>
     */
    public void watchCustomData(com.lanyardhq.lanyard.v1.WatchCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchCustomDataMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * CustomDataService reads and writes custom user data: the one document per user in the configured
   * collection whose user id field equals the user's id. When several documents match, the first inserted
   * wins (string ids before ObjectId ids, then the smallest _id), for every read, token and write.
   * Documents cross the API as Relaxed Extended JSON v2 in a google.protobuf.Struct: ObjectIds, dates and
   * binaries keep their wrappers ({"$oid": ...}, {"$date": ...}, {"$binary": ...}) and an int64 outside
   * +-2^53 keeps {"$numberLong": "..."}, so that numbers stay exact.
   * Every RPC takes an optional `user_id`: empty means the caller; another user's id is allowed only for
   * server principals (PERMISSION_DENIED with SERVER_PRINCIPAL_REQUIRED otherwise). Besides the errors
   * listed, every RPC may return UNAUTHENTICATED (TOKEN_*), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class CustomDataServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<CustomDataServiceBlockingStub> {
    private CustomDataServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CustomDataServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CustomDataServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetCustomData returns the user's document, read fresh from the store.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - NOT_FOUND (NOT_FOUND): custom data is disabled or the user does not exist.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.GetCustomDataResponse getCustomData(com.lanyardhq.lanyard.v1.GetCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetCustomDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * UpdateCustomData sets fields, unsets paths and increments numbers in the user's document, creating it
     * when missing. Concurrent updates through Lanyard are never lost and never create a second document.
     * When callers update their own data the response carries a fresh access token with the new document.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): `$`-prefixed or empty keys, the user id field, a non-number
     *   increment, a path in two lists; (CUSTOM_DATA_TOO_LARGE) the result exceeds the size limit.
     * - ABORTED (VERSION_MISMATCH): expected_version differs from the stored version.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.UpdateCustomDataResponse updateCustomData(com.lanyardhq.lanyard.v1.UpdateCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateCustomDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteCustomData deletes the user's winning document. Deleting a missing document succeeds.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DeleteCustomDataResponse deleteCustomData(com.lanyardhq.lanyard.v1.DeleteCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteCustomDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RefreshCustomData is App Services' refreshCustomData: a new access token for the caller's session
     * carrying the current document, and the document itself.
     * Errors include:
     * - UNAUTHENTICATED (SESSION_REVOKED).
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RefreshCustomDataResponse refreshCustomData(com.lanyardhq.lanyard.v1.RefreshCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRefreshCustomDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchCustomData streams the user's current document, then the document after every change. Changes
     * made through Lanyard arrive at once; changes by other writers within one poll interval.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - UNAVAILABLE (STORE_UNAVAILABLE, UNAVAILABLE): the store was lost or the server is stopping;
     *   reconnect.
     * </pre>
     */
    public java.util.Iterator<com.lanyardhq.lanyard.v1.WatchCustomDataResponse> watchCustomData(
        com.lanyardhq.lanyard.v1.WatchCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchCustomDataMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * CustomDataService reads and writes custom user data: the one document per user in the configured
   * collection whose user id field equals the user's id. When several documents match, the first inserted
   * wins (string ids before ObjectId ids, then the smallest _id), for every read, token and write.
   * Documents cross the API as Relaxed Extended JSON v2 in a google.protobuf.Struct: ObjectIds, dates and
   * binaries keep their wrappers ({"$oid": ...}, {"$date": ...}, {"$binary": ...}) and an int64 outside
   * +-2^53 keeps {"$numberLong": "..."}, so that numbers stay exact.
   * Every RPC takes an optional `user_id`: empty means the caller; another user's id is allowed only for
   * server principals (PERMISSION_DENIED with SERVER_PRINCIPAL_REQUIRED otherwise). Besides the errors
   * listed, every RPC may return UNAUTHENTICATED (TOKEN_*), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL,
   * DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class CustomDataServiceFutureStub extends io.grpc.stub.AbstractFutureStub<CustomDataServiceFutureStub> {
    private CustomDataServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected CustomDataServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new CustomDataServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetCustomData returns the user's document, read fresh from the store.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * - NOT_FOUND (NOT_FOUND): custom data is disabled or the user does not exist.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.GetCustomDataResponse> getCustomData(
        com.lanyardhq.lanyard.v1.GetCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetCustomDataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * UpdateCustomData sets fields, unsets paths and increments numbers in the user's document, creating it
     * when missing. Concurrent updates through Lanyard are never lost and never create a second document.
     * When callers update their own data the response carries a fresh access token with the new document.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): `$`-prefixed or empty keys, the user id field, a non-number
     *   increment, a path in two lists; (CUSTOM_DATA_TOO_LARGE) the result exceeds the size limit.
     * - ABORTED (VERSION_MISMATCH): expected_version differs from the stored version.
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.UpdateCustomDataResponse> updateCustomData(
        com.lanyardhq.lanyard.v1.UpdateCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateCustomDataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteCustomData deletes the user's winning document. Deleting a missing document succeeds.
     * Errors include:
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DeleteCustomDataResponse> deleteCustomData(
        com.lanyardhq.lanyard.v1.DeleteCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteCustomDataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RefreshCustomData is App Services' refreshCustomData: a new access token for the caller's session
     * carrying the current document, and the document itself.
     * Errors include:
     * - UNAUTHENTICATED (SESSION_REVOKED).
     * - PERMISSION_DENIED (SERVER_PRINCIPAL_REQUIRED, RULE_DENIED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RefreshCustomDataResponse> refreshCustomData(
        com.lanyardhq.lanyard.v1.RefreshCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRefreshCustomDataMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_CUSTOM_DATA = 0;
  private static final int METHODID_UPDATE_CUSTOM_DATA = 1;
  private static final int METHODID_DELETE_CUSTOM_DATA = 2;
  private static final int METHODID_REFRESH_CUSTOM_DATA = 3;
  private static final int METHODID_WATCH_CUSTOM_DATA = 4;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final CustomDataServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(CustomDataServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET_CUSTOM_DATA:
          serviceImpl.getCustomData((com.lanyardhq.lanyard.v1.GetCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetCustomDataResponse>) responseObserver);
          break;
        case METHODID_UPDATE_CUSTOM_DATA:
          serviceImpl.updateCustomData((com.lanyardhq.lanyard.v1.UpdateCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.UpdateCustomDataResponse>) responseObserver);
          break;
        case METHODID_DELETE_CUSTOM_DATA:
          serviceImpl.deleteCustomData((com.lanyardhq.lanyard.v1.DeleteCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteCustomDataResponse>) responseObserver);
          break;
        case METHODID_REFRESH_CUSTOM_DATA:
          serviceImpl.refreshCustomData((com.lanyardhq.lanyard.v1.RefreshCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshCustomDataResponse>) responseObserver);
          break;
        case METHODID_WATCH_CUSTOM_DATA:
          serviceImpl.watchCustomData((com.lanyardhq.lanyard.v1.WatchCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchCustomDataResponse>) responseObserver);
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

  private static abstract class CustomDataServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    CustomDataServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.lanyardhq.lanyard.v1.CustomDataProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("CustomDataService");
    }
  }

  private static final class CustomDataServiceFileDescriptorSupplier
      extends CustomDataServiceBaseDescriptorSupplier {
    CustomDataServiceFileDescriptorSupplier() {}
  }

  private static final class CustomDataServiceMethodDescriptorSupplier
      extends CustomDataServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    CustomDataServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (CustomDataServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new CustomDataServiceFileDescriptorSupplier())
              .addMethod(getGetCustomDataMethod())
              .addMethod(getUpdateCustomDataMethod())
              .addMethod(getDeleteCustomDataMethod())
              .addMethod(getRefreshCustomDataMethod())
              .addMethod(getWatchCustomDataMethod())
              .build();
        }
      }
    }
    return result;
  }
}
