package com.lanyardhq.lanyard.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AdminService manages users and keys. Every RPC requires the access token of a server principal (a user
 * of type "server", logged in with a server API key).
 * Errors every RPC may return besides those listed: UNAUTHENTICATED (TOKEN_*), PERMISSION_DENIED
 * (SERVER_PRINCIPAL_REQUIRED), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL, DEADLINE_EXCEEDED, CANCELLED.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: lanyard/v1/admin.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class AdminServiceGrpc {

  private AdminServiceGrpc() {}

  public static final String SERVICE_NAME = "lanyard.v1.AdminService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetUserRequest,
      com.lanyardhq.lanyard.v1.GetUserResponse> getGetUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetUser",
      requestType = com.lanyardhq.lanyard.v1.GetUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.GetUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetUserRequest,
      com.lanyardhq.lanyard.v1.GetUserResponse> getGetUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetUserRequest, com.lanyardhq.lanyard.v1.GetUserResponse> getGetUserMethod;
    if ((getGetUserMethod = AdminServiceGrpc.getGetUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getGetUserMethod = AdminServiceGrpc.getGetUserMethod) == null) {
          AdminServiceGrpc.getGetUserMethod = getGetUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.GetUserRequest, com.lanyardhq.lanyard.v1.GetUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("GetUser"))
              .build();
        }
      }
    }
    return getGetUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListUsersRequest,
      com.lanyardhq.lanyard.v1.ListUsersResponse> getListUsersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListUsers",
      requestType = com.lanyardhq.lanyard.v1.ListUsersRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ListUsersResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListUsersRequest,
      com.lanyardhq.lanyard.v1.ListUsersResponse> getListUsersMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListUsersRequest, com.lanyardhq.lanyard.v1.ListUsersResponse> getListUsersMethod;
    if ((getListUsersMethod = AdminServiceGrpc.getListUsersMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListUsersMethod = AdminServiceGrpc.getListUsersMethod) == null) {
          AdminServiceGrpc.getListUsersMethod = getListUsersMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ListUsersRequest, com.lanyardhq.lanyard.v1.ListUsersResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListUsers"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListUsersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListUsersResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListUsers"))
              .build();
        }
      }
    }
    return getListUsersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableUserRequest,
      com.lanyardhq.lanyard.v1.DisableUserResponse> getDisableUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DisableUser",
      requestType = com.lanyardhq.lanyard.v1.DisableUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DisableUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableUserRequest,
      com.lanyardhq.lanyard.v1.DisableUserResponse> getDisableUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableUserRequest, com.lanyardhq.lanyard.v1.DisableUserResponse> getDisableUserMethod;
    if ((getDisableUserMethod = AdminServiceGrpc.getDisableUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDisableUserMethod = AdminServiceGrpc.getDisableUserMethod) == null) {
          AdminServiceGrpc.getDisableUserMethod = getDisableUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DisableUserRequest, com.lanyardhq.lanyard.v1.DisableUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DisableUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DisableUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DisableUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DisableUser"))
              .build();
        }
      }
    }
    return getDisableUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableUserRequest,
      com.lanyardhq.lanyard.v1.EnableUserResponse> getEnableUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EnableUser",
      requestType = com.lanyardhq.lanyard.v1.EnableUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.EnableUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableUserRequest,
      com.lanyardhq.lanyard.v1.EnableUserResponse> getEnableUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableUserRequest, com.lanyardhq.lanyard.v1.EnableUserResponse> getEnableUserMethod;
    if ((getEnableUserMethod = AdminServiceGrpc.getEnableUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getEnableUserMethod = AdminServiceGrpc.getEnableUserMethod) == null) {
          AdminServiceGrpc.getEnableUserMethod = getEnableUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.EnableUserRequest, com.lanyardhq.lanyard.v1.EnableUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EnableUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.EnableUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.EnableUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("EnableUser"))
              .build();
        }
      }
    }
    return getEnableUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteUserRequest,
      com.lanyardhq.lanyard.v1.DeleteUserResponse> getDeleteUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteUser",
      requestType = com.lanyardhq.lanyard.v1.DeleteUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DeleteUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteUserRequest,
      com.lanyardhq.lanyard.v1.DeleteUserResponse> getDeleteUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteUserRequest, com.lanyardhq.lanyard.v1.DeleteUserResponse> getDeleteUserMethod;
    if ((getDeleteUserMethod = AdminServiceGrpc.getDeleteUserMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getDeleteUserMethod = AdminServiceGrpc.getDeleteUserMethod) == null) {
          AdminServiceGrpc.getDeleteUserMethod = getDeleteUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DeleteUserRequest, com.lanyardhq.lanyard.v1.DeleteUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("DeleteUser"))
              .build();
        }
      }
    }
    return getDeleteUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RevokeSessionsRequest,
      com.lanyardhq.lanyard.v1.RevokeSessionsResponse> getRevokeSessionsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeSessions",
      requestType = com.lanyardhq.lanyard.v1.RevokeSessionsRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RevokeSessionsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RevokeSessionsRequest,
      com.lanyardhq.lanyard.v1.RevokeSessionsResponse> getRevokeSessionsMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RevokeSessionsRequest, com.lanyardhq.lanyard.v1.RevokeSessionsResponse> getRevokeSessionsMethod;
    if ((getRevokeSessionsMethod = AdminServiceGrpc.getRevokeSessionsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRevokeSessionsMethod = AdminServiceGrpc.getRevokeSessionsMethod) == null) {
          AdminServiceGrpc.getRevokeSessionsMethod = getRevokeSessionsMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RevokeSessionsRequest, com.lanyardhq.lanyard.v1.RevokeSessionsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeSessions"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RevokeSessionsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RevokeSessionsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RevokeSessions"))
              .build();
        }
      }
    }
    return getRevokeSessionsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest,
      com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> getListShadowedCustomDataMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListShadowedCustomData",
      requestType = com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest,
      com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> getListShadowedCustomDataMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest, com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> getListShadowedCustomDataMethod;
    if ((getListShadowedCustomDataMethod = AdminServiceGrpc.getListShadowedCustomDataMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getListShadowedCustomDataMethod = AdminServiceGrpc.getListShadowedCustomDataMethod) == null) {
          AdminServiceGrpc.getListShadowedCustomDataMethod = getListShadowedCustomDataMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest, com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListShadowedCustomData"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("ListShadowedCustomData"))
              .build();
        }
      }
    }
    return getListShadowedCustomDataMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RotateSigningKeyRequest,
      com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> getRotateSigningKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RotateSigningKey",
      requestType = com.lanyardhq.lanyard.v1.RotateSigningKeyRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RotateSigningKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RotateSigningKeyRequest,
      com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> getRotateSigningKeyMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RotateSigningKeyRequest, com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> getRotateSigningKeyMethod;
    if ((getRotateSigningKeyMethod = AdminServiceGrpc.getRotateSigningKeyMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getRotateSigningKeyMethod = AdminServiceGrpc.getRotateSigningKeyMethod) == null) {
          AdminServiceGrpc.getRotateSigningKeyMethod = getRotateSigningKeyMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RotateSigningKeyRequest, com.lanyardhq.lanyard.v1.RotateSigningKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RotateSigningKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RotateSigningKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RotateSigningKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("RotateSigningKey"))
              .build();
        }
      }
    }
    return getRotateSigningKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchAuthEventsRequest,
      com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> getWatchAuthEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WatchAuthEvents",
      requestType = com.lanyardhq.lanyard.v1.WatchAuthEventsRequest.class,
      responseType = com.lanyardhq.lanyard.v1.WatchAuthEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchAuthEventsRequest,
      com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> getWatchAuthEventsMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WatchAuthEventsRequest, com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> getWatchAuthEventsMethod;
    if ((getWatchAuthEventsMethod = AdminServiceGrpc.getWatchAuthEventsMethod) == null) {
      synchronized (AdminServiceGrpc.class) {
        if ((getWatchAuthEventsMethod = AdminServiceGrpc.getWatchAuthEventsMethod) == null) {
          AdminServiceGrpc.getWatchAuthEventsMethod = getWatchAuthEventsMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.WatchAuthEventsRequest, com.lanyardhq.lanyard.v1.WatchAuthEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WatchAuthEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WatchAuthEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WatchAuthEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AdminServiceMethodDescriptorSupplier("WatchAuthEvents"))
              .build();
        }
      }
    }
    return getWatchAuthEventsMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AdminServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceStub>() {
        @java.lang.Override
        public AdminServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceStub(channel, callOptions);
        }
      };
    return AdminServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AdminServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceBlockingStub>() {
        @java.lang.Override
        public AdminServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceBlockingStub(channel, callOptions);
        }
      };
    return AdminServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AdminServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AdminServiceFutureStub>() {
        @java.lang.Override
        public AdminServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AdminServiceFutureStub(channel, callOptions);
        }
      };
    return AdminServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AdminService manages users and keys. Every RPC requires the access token of a server principal (a user
   * of type "server", logged in with a server API key).
   * Errors every RPC may return besides those listed: UNAUTHENTICATED (TOKEN_*), PERMISSION_DENIED
   * (SERVER_PRINCIPAL_REQUIRED), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL, DEADLINE_EXCEEDED, CANCELLED.
   * </pre>
   */
  public static abstract class AdminServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * GetUser returns one user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void getUser(com.lanyardhq.lanyard.v1.GetUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListUsers returns users in id order, a page at a time.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range, malformed page_token.
     * </pre>
     */
    public void listUsers(com.lanyardhq.lanyard.v1.ListUsersRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListUsersResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListUsersMethod(), responseObserver);
    }

    /**
     * <pre>
     * DisableUser disables a user: it cannot log in or refresh, and its access tokens stop working within
     * the revocation interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void disableUser(com.lanyardhq.lanyard.v1.DisableUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDisableUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * EnableUser enables a disabled user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void enableUser(com.lanyardhq.lanyard.v1.EnableUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnableUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteUser deletes a user with its identities, sessions and API keys (and its custom data when
     * configured to).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void deleteUser(com.lanyardhq.lanyard.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * RevokeSessions ends every session of a user; its access tokens stop working within the revocation
     * interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void revokeSessions(com.lanyardhq.lanyard.v1.RevokeSessionsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RevokeSessionsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeSessionsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListShadowedCustomData lists users that have more than one custom data document, and which one wins.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range.
     * </pre>
     */
    public void listShadowedCustomData(com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListShadowedCustomDataMethod(), responseObserver);
    }

    /**
     * <pre>
     * RotateSigningKey creates a new signing key and signs new tokens with it. Older public keys stay in the
     * JWKS until every token they signed has expired.
     * </pre>
     */
    public void rotateSigningKey(com.lanyardhq.lanyard.v1.RotateSigningKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRotateSigningKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * WatchAuthEvents streams CREATE, LOGIN and DELETE events, oldest first, then new ones as they happen.
     * Delivery is at least once: resume after the last event id you processed.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed after_event_id.
     * - UNAVAILABLE (UNAVAILABLE): the server is stopping; resume elsewhere.
     * </pre>
     */
    public void watchAuthEvents(com.lanyardhq.lanyard.v1.WatchAuthEventsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWatchAuthEventsMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getGetUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.GetUserRequest,
                com.lanyardhq.lanyard.v1.GetUserResponse>(
                  this, METHODID_GET_USER)))
          .addMethod(
            getListUsersMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ListUsersRequest,
                com.lanyardhq.lanyard.v1.ListUsersResponse>(
                  this, METHODID_LIST_USERS)))
          .addMethod(
            getDisableUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DisableUserRequest,
                com.lanyardhq.lanyard.v1.DisableUserResponse>(
                  this, METHODID_DISABLE_USER)))
          .addMethod(
            getEnableUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.EnableUserRequest,
                com.lanyardhq.lanyard.v1.EnableUserResponse>(
                  this, METHODID_ENABLE_USER)))
          .addMethod(
            getDeleteUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DeleteUserRequest,
                com.lanyardhq.lanyard.v1.DeleteUserResponse>(
                  this, METHODID_DELETE_USER)))
          .addMethod(
            getRevokeSessionsMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RevokeSessionsRequest,
                com.lanyardhq.lanyard.v1.RevokeSessionsResponse>(
                  this, METHODID_REVOKE_SESSIONS)))
          .addMethod(
            getListShadowedCustomDataMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest,
                com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse>(
                  this, METHODID_LIST_SHADOWED_CUSTOM_DATA)))
          .addMethod(
            getRotateSigningKeyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RotateSigningKeyRequest,
                com.lanyardhq.lanyard.v1.RotateSigningKeyResponse>(
                  this, METHODID_ROTATE_SIGNING_KEY)))
          .addMethod(
            getWatchAuthEventsMethod(),
            io.grpc.stub.ServerCalls.asyncServerStreamingCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.WatchAuthEventsRequest,
                com.lanyardhq.lanyard.v1.WatchAuthEventsResponse>(
                  this, METHODID_WATCH_AUTH_EVENTS)))
          .build();
    }
  }

  /**
   * <pre>
   * AdminService manages users and keys. Every RPC requires the access token of a server principal (a user
   * of type "server", logged in with a server API key).
   * Errors every RPC may return besides those listed: UNAUTHENTICATED (TOKEN_*), PERMISSION_DENIED
   * (SERVER_PRINCIPAL_REQUIRED), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL, DEADLINE_EXCEEDED, CANCELLED.
   * </pre>
   */
  public static final class AdminServiceStub extends io.grpc.stub.AbstractAsyncStub<AdminServiceStub> {
    private AdminServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetUser returns one user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void getUser(com.lanyardhq.lanyard.v1.GetUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListUsers returns users in id order, a page at a time.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range, malformed page_token.
     * </pre>
     */
    public void listUsers(com.lanyardhq.lanyard.v1.ListUsersRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListUsersResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListUsersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DisableUser disables a user: it cannot log in or refresh, and its access tokens stop working within
     * the revocation interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void disableUser(com.lanyardhq.lanyard.v1.DisableUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDisableUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * EnableUser enables a disabled user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void enableUser(com.lanyardhq.lanyard.v1.EnableUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnableUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteUser deletes a user with its identities, sessions and API keys (and its custom data when
     * configured to).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void deleteUser(com.lanyardhq.lanyard.v1.DeleteUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RevokeSessions ends every session of a user; its access tokens stop working within the revocation
     * interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void revokeSessions(com.lanyardhq.lanyard.v1.RevokeSessionsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RevokeSessionsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeSessionsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListShadowedCustomData lists users that have more than one custom data document, and which one wins.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range.
     * </pre>
     */
    public void listShadowedCustomData(com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListShadowedCustomDataMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RotateSigningKey creates a new signing key and signs new tokens with it. Older public keys stay in the
     * JWKS until every token they signed has expired.
     * </pre>
     */
    public void rotateSigningKey(com.lanyardhq.lanyard.v1.RotateSigningKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRotateSigningKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WatchAuthEvents streams CREATE, LOGIN and DELETE events, oldest first, then new ones as they happen.
     * Delivery is at least once: resume after the last event id you processed.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed after_event_id.
     * - UNAVAILABLE (UNAVAILABLE): the server is stopping; resume elsewhere.
     * </pre>
     */
    public void watchAuthEvents(com.lanyardhq.lanyard.v1.WatchAuthEventsRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getWatchAuthEventsMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * AdminService manages users and keys. Every RPC requires the access token of a server principal (a user
   * of type "server", logged in with a server API key).
   * Errors every RPC may return besides those listed: UNAUTHENTICATED (TOKEN_*), PERMISSION_DENIED
   * (SERVER_PRINCIPAL_REQUIRED), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL, DEADLINE_EXCEEDED, CANCELLED.
   * </pre>
   */
  public static final class AdminServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<AdminServiceBlockingStub> {
    private AdminServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetUser returns one user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.GetUserResponse getUser(com.lanyardhq.lanyard.v1.GetUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListUsers returns users in id order, a page at a time.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range, malformed page_token.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ListUsersResponse listUsers(com.lanyardhq.lanyard.v1.ListUsersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListUsersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableUser disables a user: it cannot log in or refresh, and its access tokens stop working within
     * the revocation interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DisableUserResponse disableUser(com.lanyardhq.lanyard.v1.DisableUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDisableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableUser enables a disabled user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.EnableUserResponse enableUser(com.lanyardhq.lanyard.v1.EnableUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnableUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteUser deletes a user with its identities, sessions and API keys (and its custom data when
     * configured to).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DeleteUserResponse deleteUser(com.lanyardhq.lanyard.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RevokeSessions ends every session of a user; its access tokens stop working within the revocation
     * interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RevokeSessionsResponse revokeSessions(com.lanyardhq.lanyard.v1.RevokeSessionsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeSessionsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListShadowedCustomData lists users that have more than one custom data document, and which one wins.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse listShadowedCustomData(com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListShadowedCustomDataMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RotateSigningKey creates a new signing key and signs new tokens with it. Older public keys stay in the
     * JWKS until every token they signed has expired.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RotateSigningKeyResponse rotateSigningKey(com.lanyardhq.lanyard.v1.RotateSigningKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRotateSigningKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WatchAuthEvents streams CREATE, LOGIN and DELETE events, oldest first, then new ones as they happen.
     * Delivery is at least once: resume after the last event id you processed.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed after_event_id.
     * - UNAVAILABLE (UNAVAILABLE): the server is stopping; resume elsewhere.
     * </pre>
     */
    public java.util.Iterator<com.lanyardhq.lanyard.v1.WatchAuthEventsResponse> watchAuthEvents(
        com.lanyardhq.lanyard.v1.WatchAuthEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getWatchAuthEventsMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * AdminService manages users and keys. Every RPC requires the access token of a server principal (a user
   * of type "server", logged in with a server API key).
   * Errors every RPC may return besides those listed: UNAUTHENTICATED (TOKEN_*), PERMISSION_DENIED
   * (SERVER_PRINCIPAL_REQUIRED), UNAVAILABLE (STORE_UNAVAILABLE), INTERNAL, DEADLINE_EXCEEDED, CANCELLED.
   * </pre>
   */
  public static final class AdminServiceFutureStub extends io.grpc.stub.AbstractFutureStub<AdminServiceFutureStub> {
    private AdminServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AdminServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AdminServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * GetUser returns one user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): malformed user_id.
     * - NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.GetUserResponse> getUser(
        com.lanyardhq.lanyard.v1.GetUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListUsers returns users in id order, a page at a time.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range, malformed page_token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ListUsersResponse> listUsers(
        com.lanyardhq.lanyard.v1.ListUsersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListUsersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DisableUser disables a user: it cannot log in or refresh, and its access tokens stop working within
     * the revocation interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DisableUserResponse> disableUser(
        com.lanyardhq.lanyard.v1.DisableUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDisableUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * EnableUser enables a disabled user.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.EnableUserResponse> enableUser(
        com.lanyardhq.lanyard.v1.EnableUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnableUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteUser deletes a user with its identities, sessions and API keys (and its custom data when
     * configured to).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DeleteUserResponse> deleteUser(
        com.lanyardhq.lanyard.v1.DeleteUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RevokeSessions ends every session of a user; its access tokens stop working within the revocation
     * interval.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RevokeSessionsResponse> revokeSessions(
        com.lanyardhq.lanyard.v1.RevokeSessionsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeSessionsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListShadowedCustomData lists users that have more than one custom data document, and which one wins.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): page_size out of range.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse> listShadowedCustomData(
        com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListShadowedCustomDataMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RotateSigningKey creates a new signing key and signs new tokens with it. Older public keys stay in the
     * JWKS until every token they signed has expired.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RotateSigningKeyResponse> rotateSigningKey(
        com.lanyardhq.lanyard.v1.RotateSigningKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRotateSigningKeyMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_GET_USER = 0;
  private static final int METHODID_LIST_USERS = 1;
  private static final int METHODID_DISABLE_USER = 2;
  private static final int METHODID_ENABLE_USER = 3;
  private static final int METHODID_DELETE_USER = 4;
  private static final int METHODID_REVOKE_SESSIONS = 5;
  private static final int METHODID_LIST_SHADOWED_CUSTOM_DATA = 6;
  private static final int METHODID_ROTATE_SIGNING_KEY = 7;
  private static final int METHODID_WATCH_AUTH_EVENTS = 8;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AdminServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(AdminServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_GET_USER:
          serviceImpl.getUser((com.lanyardhq.lanyard.v1.GetUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetUserResponse>) responseObserver);
          break;
        case METHODID_LIST_USERS:
          serviceImpl.listUsers((com.lanyardhq.lanyard.v1.ListUsersRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListUsersResponse>) responseObserver);
          break;
        case METHODID_DISABLE_USER:
          serviceImpl.disableUser((com.lanyardhq.lanyard.v1.DisableUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableUserResponse>) responseObserver);
          break;
        case METHODID_ENABLE_USER:
          serviceImpl.enableUser((com.lanyardhq.lanyard.v1.EnableUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableUserResponse>) responseObserver);
          break;
        case METHODID_DELETE_USER:
          serviceImpl.deleteUser((com.lanyardhq.lanyard.v1.DeleteUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteUserResponse>) responseObserver);
          break;
        case METHODID_REVOKE_SESSIONS:
          serviceImpl.revokeSessions((com.lanyardhq.lanyard.v1.RevokeSessionsRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RevokeSessionsResponse>) responseObserver);
          break;
        case METHODID_LIST_SHADOWED_CUSTOM_DATA:
          serviceImpl.listShadowedCustomData((com.lanyardhq.lanyard.v1.ListShadowedCustomDataRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListShadowedCustomDataResponse>) responseObserver);
          break;
        case METHODID_ROTATE_SIGNING_KEY:
          serviceImpl.rotateSigningKey((com.lanyardhq.lanyard.v1.RotateSigningKeyRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RotateSigningKeyResponse>) responseObserver);
          break;
        case METHODID_WATCH_AUTH_EVENTS:
          serviceImpl.watchAuthEvents((com.lanyardhq.lanyard.v1.WatchAuthEventsRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WatchAuthEventsResponse>) responseObserver);
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

  private static abstract class AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AdminServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.lanyardhq.lanyard.v1.AdminProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AdminService");
    }
  }

  private static final class AdminServiceFileDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier {
    AdminServiceFileDescriptorSupplier() {}
  }

  private static final class AdminServiceMethodDescriptorSupplier
      extends AdminServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    AdminServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (AdminServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AdminServiceFileDescriptorSupplier())
              .addMethod(getGetUserMethod())
              .addMethod(getListUsersMethod())
              .addMethod(getDisableUserMethod())
              .addMethod(getEnableUserMethod())
              .addMethod(getDeleteUserMethod())
              .addMethod(getRevokeSessionsMethod())
              .addMethod(getListShadowedCustomDataMethod())
              .addMethod(getRotateSigningKeyMethod())
              .addMethod(getWatchAuthEventsMethod())
              .build();
        }
      }
    }
    return result;
  }
}
