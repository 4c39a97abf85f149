package com.lanyardhq.lanyard.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * AuthService logs users in with any App Services provider, keeps their sessions alive and manages their
 * email/password accounts and API keys.
 * Every error carries a google.rpc.ErrorInfo (domain "lanyard", reason from ErrorReason). Errors every
 * RPC may return besides those listed: UNAVAILABLE (STORE_UNAVAILABLE) while the store is unreachable,
 * INTERNAL (INTERNAL, with a request id only), DEADLINE_EXCEEDED and CANCELLED.
 * </pre>
 */
@javax.annotation.Generated(
    value = "by gRPC proto compiler",
    comments = "Source: lanyard/v1/auth.proto")
@io.grpc.stub.annotations.GrpcGenerated
public final class AuthServiceGrpc {

  private AuthServiceGrpc() {}

  public static final String SERVICE_NAME = "lanyard.v1.AuthService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LoginRequest,
      com.lanyardhq.lanyard.v1.LoginResponse> getLoginMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Login",
      requestType = com.lanyardhq.lanyard.v1.LoginRequest.class,
      responseType = com.lanyardhq.lanyard.v1.LoginResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LoginRequest,
      com.lanyardhq.lanyard.v1.LoginResponse> getLoginMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LoginRequest, com.lanyardhq.lanyard.v1.LoginResponse> getLoginMethod;
    if ((getLoginMethod = AuthServiceGrpc.getLoginMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getLoginMethod = AuthServiceGrpc.getLoginMethod) == null) {
          AuthServiceGrpc.getLoginMethod = getLoginMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.LoginRequest, com.lanyardhq.lanyard.v1.LoginResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Login"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LoginRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LoginResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("Login"))
              .build();
        }
      }
    }
    return getLoginMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LinkIdentityRequest,
      com.lanyardhq.lanyard.v1.LinkIdentityResponse> getLinkIdentityMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "LinkIdentity",
      requestType = com.lanyardhq.lanyard.v1.LinkIdentityRequest.class,
      responseType = com.lanyardhq.lanyard.v1.LinkIdentityResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LinkIdentityRequest,
      com.lanyardhq.lanyard.v1.LinkIdentityResponse> getLinkIdentityMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LinkIdentityRequest, com.lanyardhq.lanyard.v1.LinkIdentityResponse> getLinkIdentityMethod;
    if ((getLinkIdentityMethod = AuthServiceGrpc.getLinkIdentityMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getLinkIdentityMethod = AuthServiceGrpc.getLinkIdentityMethod) == null) {
          AuthServiceGrpc.getLinkIdentityMethod = getLinkIdentityMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.LinkIdentityRequest, com.lanyardhq.lanyard.v1.LinkIdentityResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "LinkIdentity"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LinkIdentityRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LinkIdentityResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("LinkIdentity"))
              .build();
        }
      }
    }
    return getLinkIdentityMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshSessionRequest,
      com.lanyardhq.lanyard.v1.RefreshSessionResponse> getRefreshSessionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RefreshSession",
      requestType = com.lanyardhq.lanyard.v1.RefreshSessionRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RefreshSessionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshSessionRequest,
      com.lanyardhq.lanyard.v1.RefreshSessionResponse> getRefreshSessionMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RefreshSessionRequest, com.lanyardhq.lanyard.v1.RefreshSessionResponse> getRefreshSessionMethod;
    if ((getRefreshSessionMethod = AuthServiceGrpc.getRefreshSessionMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getRefreshSessionMethod = AuthServiceGrpc.getRefreshSessionMethod) == null) {
          AuthServiceGrpc.getRefreshSessionMethod = getRefreshSessionMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RefreshSessionRequest, com.lanyardhq.lanyard.v1.RefreshSessionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RefreshSession"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RefreshSessionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RefreshSessionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("RefreshSession"))
              .build();
        }
      }
    }
    return getRefreshSessionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LogoutRequest,
      com.lanyardhq.lanyard.v1.LogoutResponse> getLogoutMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Logout",
      requestType = com.lanyardhq.lanyard.v1.LogoutRequest.class,
      responseType = com.lanyardhq.lanyard.v1.LogoutResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LogoutRequest,
      com.lanyardhq.lanyard.v1.LogoutResponse> getLogoutMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.LogoutRequest, com.lanyardhq.lanyard.v1.LogoutResponse> getLogoutMethod;
    if ((getLogoutMethod = AuthServiceGrpc.getLogoutMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getLogoutMethod = AuthServiceGrpc.getLogoutMethod) == null) {
          AuthServiceGrpc.getLogoutMethod = getLogoutMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.LogoutRequest, com.lanyardhq.lanyard.v1.LogoutResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Logout"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LogoutRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.LogoutResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("Logout"))
              .build();
        }
      }
    }
    return getLogoutMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RegisterUserRequest,
      com.lanyardhq.lanyard.v1.RegisterUserResponse> getRegisterUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RegisterUser",
      requestType = com.lanyardhq.lanyard.v1.RegisterUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RegisterUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RegisterUserRequest,
      com.lanyardhq.lanyard.v1.RegisterUserResponse> getRegisterUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RegisterUserRequest, com.lanyardhq.lanyard.v1.RegisterUserResponse> getRegisterUserMethod;
    if ((getRegisterUserMethod = AuthServiceGrpc.getRegisterUserMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getRegisterUserMethod = AuthServiceGrpc.getRegisterUserMethod) == null) {
          AuthServiceGrpc.getRegisterUserMethod = getRegisterUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RegisterUserRequest, com.lanyardhq.lanyard.v1.RegisterUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RegisterUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RegisterUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RegisterUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("RegisterUser"))
              .build();
        }
      }
    }
    return getRegisterUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ConfirmUserRequest,
      com.lanyardhq.lanyard.v1.ConfirmUserResponse> getConfirmUserMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ConfirmUser",
      requestType = com.lanyardhq.lanyard.v1.ConfirmUserRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ConfirmUserResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ConfirmUserRequest,
      com.lanyardhq.lanyard.v1.ConfirmUserResponse> getConfirmUserMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ConfirmUserRequest, com.lanyardhq.lanyard.v1.ConfirmUserResponse> getConfirmUserMethod;
    if ((getConfirmUserMethod = AuthServiceGrpc.getConfirmUserMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getConfirmUserMethod = AuthServiceGrpc.getConfirmUserMethod) == null) {
          AuthServiceGrpc.getConfirmUserMethod = getConfirmUserMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ConfirmUserRequest, com.lanyardhq.lanyard.v1.ConfirmUserResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ConfirmUser"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ConfirmUserRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ConfirmUserResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ConfirmUser"))
              .build();
        }
      }
    }
    return getConfirmUserMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResendConfirmationRequest,
      com.lanyardhq.lanyard.v1.ResendConfirmationResponse> getResendConfirmationMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResendConfirmation",
      requestType = com.lanyardhq.lanyard.v1.ResendConfirmationRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ResendConfirmationResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResendConfirmationRequest,
      com.lanyardhq.lanyard.v1.ResendConfirmationResponse> getResendConfirmationMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResendConfirmationRequest, com.lanyardhq.lanyard.v1.ResendConfirmationResponse> getResendConfirmationMethod;
    if ((getResendConfirmationMethod = AuthServiceGrpc.getResendConfirmationMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getResendConfirmationMethod = AuthServiceGrpc.getResendConfirmationMethod) == null) {
          AuthServiceGrpc.getResendConfirmationMethod = getResendConfirmationMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ResendConfirmationRequest, com.lanyardhq.lanyard.v1.ResendConfirmationResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResendConfirmation"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ResendConfirmationRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ResendConfirmationResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ResendConfirmation"))
              .build();
        }
      }
    }
    return getResendConfirmationMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.SendPasswordResetRequest,
      com.lanyardhq.lanyard.v1.SendPasswordResetResponse> getSendPasswordResetMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "SendPasswordReset",
      requestType = com.lanyardhq.lanyard.v1.SendPasswordResetRequest.class,
      responseType = com.lanyardhq.lanyard.v1.SendPasswordResetResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.SendPasswordResetRequest,
      com.lanyardhq.lanyard.v1.SendPasswordResetResponse> getSendPasswordResetMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.SendPasswordResetRequest, com.lanyardhq.lanyard.v1.SendPasswordResetResponse> getSendPasswordResetMethod;
    if ((getSendPasswordResetMethod = AuthServiceGrpc.getSendPasswordResetMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getSendPasswordResetMethod = AuthServiceGrpc.getSendPasswordResetMethod) == null) {
          AuthServiceGrpc.getSendPasswordResetMethod = getSendPasswordResetMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.SendPasswordResetRequest, com.lanyardhq.lanyard.v1.SendPasswordResetResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "SendPasswordReset"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.SendPasswordResetRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.SendPasswordResetResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("SendPasswordReset"))
              .build();
        }
      }
    }
    return getSendPasswordResetMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResetPasswordRequest,
      com.lanyardhq.lanyard.v1.ResetPasswordResponse> getResetPasswordMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ResetPassword",
      requestType = com.lanyardhq.lanyard.v1.ResetPasswordRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ResetPasswordResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResetPasswordRequest,
      com.lanyardhq.lanyard.v1.ResetPasswordResponse> getResetPasswordMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ResetPasswordRequest, com.lanyardhq.lanyard.v1.ResetPasswordResponse> getResetPasswordMethod;
    if ((getResetPasswordMethod = AuthServiceGrpc.getResetPasswordMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getResetPasswordMethod = AuthServiceGrpc.getResetPasswordMethod) == null) {
          AuthServiceGrpc.getResetPasswordMethod = getResetPasswordMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ResetPasswordRequest, com.lanyardhq.lanyard.v1.ResetPasswordResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ResetPassword"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ResetPasswordRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ResetPasswordResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ResetPassword"))
              .build();
        }
      }
    }
    return getResetPasswordMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest,
      com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> getRetryCustomConfirmationMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RetryCustomConfirmation",
      requestType = com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest.class,
      responseType = com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest,
      com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> getRetryCustomConfirmationMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest, com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> getRetryCustomConfirmationMethod;
    if ((getRetryCustomConfirmationMethod = AuthServiceGrpc.getRetryCustomConfirmationMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getRetryCustomConfirmationMethod = AuthServiceGrpc.getRetryCustomConfirmationMethod) == null) {
          AuthServiceGrpc.getRetryCustomConfirmationMethod = getRetryCustomConfirmationMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest, com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RetryCustomConfirmation"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("RetryCustomConfirmation"))
              .build();
        }
      }
    }
    return getRetryCustomConfirmationMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest,
      com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> getCallResetPasswordFunctionMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CallResetPasswordFunction",
      requestType = com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest.class,
      responseType = com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest,
      com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> getCallResetPasswordFunctionMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest, com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> getCallResetPasswordFunctionMethod;
    if ((getCallResetPasswordFunctionMethod = AuthServiceGrpc.getCallResetPasswordFunctionMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getCallResetPasswordFunctionMethod = AuthServiceGrpc.getCallResetPasswordFunctionMethod) == null) {
          AuthServiceGrpc.getCallResetPasswordFunctionMethod = getCallResetPasswordFunctionMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest, com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CallResetPasswordFunction"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("CallResetPasswordFunction"))
              .build();
        }
      }
    }
    return getCallResetPasswordFunctionMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteMeRequest,
      com.lanyardhq.lanyard.v1.DeleteMeResponse> getDeleteMeMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteMe",
      requestType = com.lanyardhq.lanyard.v1.DeleteMeRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DeleteMeResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteMeRequest,
      com.lanyardhq.lanyard.v1.DeleteMeResponse> getDeleteMeMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteMeRequest, com.lanyardhq.lanyard.v1.DeleteMeResponse> getDeleteMeMethod;
    if ((getDeleteMeMethod = AuthServiceGrpc.getDeleteMeMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getDeleteMeMethod = AuthServiceGrpc.getDeleteMeMethod) == null) {
          AuthServiceGrpc.getDeleteMeMethod = getDeleteMeMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DeleteMeRequest, com.lanyardhq.lanyard.v1.DeleteMeResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteMe"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteMeRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteMeResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("DeleteMe"))
              .build();
        }
      }
    }
    return getDeleteMeMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CreateApiKeyRequest,
      com.lanyardhq.lanyard.v1.CreateApiKeyResponse> getCreateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateApiKey",
      requestType = com.lanyardhq.lanyard.v1.CreateApiKeyRequest.class,
      responseType = com.lanyardhq.lanyard.v1.CreateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CreateApiKeyRequest,
      com.lanyardhq.lanyard.v1.CreateApiKeyResponse> getCreateApiKeyMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.CreateApiKeyRequest, com.lanyardhq.lanyard.v1.CreateApiKeyResponse> getCreateApiKeyMethod;
    if ((getCreateApiKeyMethod = AuthServiceGrpc.getCreateApiKeyMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getCreateApiKeyMethod = AuthServiceGrpc.getCreateApiKeyMethod) == null) {
          AuthServiceGrpc.getCreateApiKeyMethod = getCreateApiKeyMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.CreateApiKeyRequest, com.lanyardhq.lanyard.v1.CreateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.CreateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.CreateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("CreateApiKey"))
              .build();
        }
      }
    }
    return getCreateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListApiKeysRequest,
      com.lanyardhq.lanyard.v1.ListApiKeysResponse> getListApiKeysMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListApiKeys",
      requestType = com.lanyardhq.lanyard.v1.ListApiKeysRequest.class,
      responseType = com.lanyardhq.lanyard.v1.ListApiKeysResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListApiKeysRequest,
      com.lanyardhq.lanyard.v1.ListApiKeysResponse> getListApiKeysMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.ListApiKeysRequest, com.lanyardhq.lanyard.v1.ListApiKeysResponse> getListApiKeysMethod;
    if ((getListApiKeysMethod = AuthServiceGrpc.getListApiKeysMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getListApiKeysMethod = AuthServiceGrpc.getListApiKeysMethod) == null) {
          AuthServiceGrpc.getListApiKeysMethod = getListApiKeysMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.ListApiKeysRequest, com.lanyardhq.lanyard.v1.ListApiKeysResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListApiKeys"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListApiKeysRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.ListApiKeysResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("ListApiKeys"))
              .build();
        }
      }
    }
    return getListApiKeysMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteApiKeyRequest,
      com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> getDeleteApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteApiKey",
      requestType = com.lanyardhq.lanyard.v1.DeleteApiKeyRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DeleteApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteApiKeyRequest,
      com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> getDeleteApiKeyMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DeleteApiKeyRequest, com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> getDeleteApiKeyMethod;
    if ((getDeleteApiKeyMethod = AuthServiceGrpc.getDeleteApiKeyMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getDeleteApiKeyMethod = AuthServiceGrpc.getDeleteApiKeyMethod) == null) {
          AuthServiceGrpc.getDeleteApiKeyMethod = getDeleteApiKeyMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DeleteApiKeyRequest, com.lanyardhq.lanyard.v1.DeleteApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DeleteApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("DeleteApiKey"))
              .build();
        }
      }
    }
    return getDeleteApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableApiKeyRequest,
      com.lanyardhq.lanyard.v1.EnableApiKeyResponse> getEnableApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EnableApiKey",
      requestType = com.lanyardhq.lanyard.v1.EnableApiKeyRequest.class,
      responseType = com.lanyardhq.lanyard.v1.EnableApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableApiKeyRequest,
      com.lanyardhq.lanyard.v1.EnableApiKeyResponse> getEnableApiKeyMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.EnableApiKeyRequest, com.lanyardhq.lanyard.v1.EnableApiKeyResponse> getEnableApiKeyMethod;
    if ((getEnableApiKeyMethod = AuthServiceGrpc.getEnableApiKeyMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getEnableApiKeyMethod = AuthServiceGrpc.getEnableApiKeyMethod) == null) {
          AuthServiceGrpc.getEnableApiKeyMethod = getEnableApiKeyMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.EnableApiKeyRequest, com.lanyardhq.lanyard.v1.EnableApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EnableApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.EnableApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.EnableApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("EnableApiKey"))
              .build();
        }
      }
    }
    return getEnableApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableApiKeyRequest,
      com.lanyardhq.lanyard.v1.DisableApiKeyResponse> getDisableApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DisableApiKey",
      requestType = com.lanyardhq.lanyard.v1.DisableApiKeyRequest.class,
      responseType = com.lanyardhq.lanyard.v1.DisableApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableApiKeyRequest,
      com.lanyardhq.lanyard.v1.DisableApiKeyResponse> getDisableApiKeyMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.DisableApiKeyRequest, com.lanyardhq.lanyard.v1.DisableApiKeyResponse> getDisableApiKeyMethod;
    if ((getDisableApiKeyMethod = AuthServiceGrpc.getDisableApiKeyMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getDisableApiKeyMethod = AuthServiceGrpc.getDisableApiKeyMethod) == null) {
          AuthServiceGrpc.getDisableApiKeyMethod = getDisableApiKeyMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.DisableApiKeyRequest, com.lanyardhq.lanyard.v1.DisableApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DisableApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DisableApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.DisableApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("DisableApiKey"))
              .build();
        }
      }
    }
    return getDisableApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetJwksRequest,
      com.lanyardhq.lanyard.v1.GetJwksResponse> getGetJwksMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetJwks",
      requestType = com.lanyardhq.lanyard.v1.GetJwksRequest.class,
      responseType = com.lanyardhq.lanyard.v1.GetJwksResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetJwksRequest,
      com.lanyardhq.lanyard.v1.GetJwksResponse> getGetJwksMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.GetJwksRequest, com.lanyardhq.lanyard.v1.GetJwksResponse> getGetJwksMethod;
    if ((getGetJwksMethod = AuthServiceGrpc.getGetJwksMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getGetJwksMethod = AuthServiceGrpc.getGetJwksMethod) == null) {
          AuthServiceGrpc.getGetJwksMethod = getGetJwksMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.GetJwksRequest, com.lanyardhq.lanyard.v1.GetJwksResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetJwks"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetJwksRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.GetJwksResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("GetJwks"))
              .build();
        }
      }
    }
    return getGetJwksMethod;
  }

  private static volatile io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WhoAmIRequest,
      com.lanyardhq.lanyard.v1.WhoAmIResponse> getWhoAmIMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "WhoAmI",
      requestType = com.lanyardhq.lanyard.v1.WhoAmIRequest.class,
      responseType = com.lanyardhq.lanyard.v1.WhoAmIResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WhoAmIRequest,
      com.lanyardhq.lanyard.v1.WhoAmIResponse> getWhoAmIMethod() {
    io.grpc.MethodDescriptor<com.lanyardhq.lanyard.v1.WhoAmIRequest, com.lanyardhq.lanyard.v1.WhoAmIResponse> getWhoAmIMethod;
    if ((getWhoAmIMethod = AuthServiceGrpc.getWhoAmIMethod) == null) {
      synchronized (AuthServiceGrpc.class) {
        if ((getWhoAmIMethod = AuthServiceGrpc.getWhoAmIMethod) == null) {
          AuthServiceGrpc.getWhoAmIMethod = getWhoAmIMethod =
              io.grpc.MethodDescriptor.<com.lanyardhq.lanyard.v1.WhoAmIRequest, com.lanyardhq.lanyard.v1.WhoAmIResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "WhoAmI"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WhoAmIRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  com.lanyardhq.lanyard.v1.WhoAmIResponse.getDefaultInstance()))
              .setSchemaDescriptor(new AuthServiceMethodDescriptorSupplier("WhoAmI"))
              .build();
        }
      }
    }
    return getWhoAmIMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static AuthServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceStub>() {
        @java.lang.Override
        public AuthServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceStub(channel, callOptions);
        }
      };
    return AuthServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static AuthServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceBlockingStub>() {
        @java.lang.Override
        public AuthServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceBlockingStub(channel, callOptions);
        }
      };
    return AuthServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static AuthServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<AuthServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<AuthServiceFutureStub>() {
        @java.lang.Override
        public AuthServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new AuthServiceFutureStub(channel, callOptions);
        }
      };
    return AuthServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * AuthService logs users in with any App Services provider, keeps their sessions alive and manages their
   * email/password accounts and API keys.
   * Every error carries a google.rpc.ErrorInfo (domain "lanyard", reason from ErrorReason). Errors every
   * RPC may return besides those listed: UNAVAILABLE (STORE_UNAVAILABLE) while the store is unreachable,
   * INTERNAL (INTERNAL, with a request id only), DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static abstract class AuthServiceImplBase implements io.grpc.BindableService {

    /**
     * <pre>
     * Login exchanges credentials for a new session: an access token, a refresh token and the user. The
     * first login with a new identity creates the user (running the user creation hook, if configured).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no credentials or malformed fields.
     * - UNAUTHENTICATED (INVALID_CREDENTIALS): the credentials do not identify a user.
     * - FAILED_PRECONDITION (USER_PENDING_CONFIRMATION, PROVIDER_DISABLED, METADATA_REQUIRED, HOOK_FAILED).
     * - PERMISSION_DENIED (USER_DISABLED): the user is disabled.
     * - RESOURCE_EXHAUSTED (RATE_LIMITED): too many failed attempts for this identity or peer.
     * </pre>
     */
    public void login(com.lanyardhq.lanyard.v1.LoginRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LoginResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLoginMethod(), responseObserver);
    }

    /**
     * <pre>
     * LinkIdentity adds the identity behind the given credentials to the calling user, so that either
     * logs in to the same account. Requires the caller's access token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), UNAUTHENTICATED (TOKEN_*, INVALID_CREDENTIALS).
     * - ALREADY_EXISTS (IDENTITY_ALREADY_LINKED): the identity belongs to another user.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, METADATA_REQUIRED).
     * </pre>
     */
    public void linkIdentity(com.lanyardhq.lanyard.v1.LinkIdentityRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LinkIdentityResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLinkIdentityMethod(), responseObserver);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for a new access token. Sessions opened over gRPC rotate the
     * refresh token on every use: the response holds its successor and the old token stops working (a
     * retry within the grace window gets the same successor; a later reuse revokes the session). Sessions
     * opened through the App Services HTTP API do not rotate and return the same refresh token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * - PERMISSION_DENIED (USER_DISABLED).
     * </pre>
     */
    public void refreshSession(com.lanyardhq.lanyard.v1.RefreshSessionRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshSessionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRefreshSessionMethod(), responseObserver);
    }

    /**
     * <pre>
     * Logout ends the session of the given refresh token. Logging out of an already ended session succeeds.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID): the token is not a Lanyard refresh token.
     * </pre>
     */
    public void logout(com.lanyardhq.lanyard.v1.LogoutRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LogoutResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getLogoutMethod(), responseObserver);
    }

    /**
     * <pre>
     * RegisterUser registers email/password (local-userpass) credentials. As in App Services, the user is
     * created at the first login with them (or they are linked to an existing user with LinkIdentity). With
     * auto-confirm on (the default) they work at once; otherwise a confirmation token is sent through the
     * configured sender. A refusing user creation hook fails the first login, not the registration.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): bad email, password too short or too long.
     * - ALREADY_EXISTS (USER_ALREADY_EXISTS).
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, HOOK_FAILED).
     * </pre>
     */
    public void registerUser(com.lanyardhq.lanyard.v1.RegisterUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RegisterUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRegisterUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * ConfirmUser confirms a pending email/password user with the token and token id it was sent.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public void confirmUser(com.lanyardhq.lanyard.v1.ConfirmUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ConfirmUserResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getConfirmUserMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResendConfirmation sends a new confirmation token to a pending user. It answers OK for unknown emails
     * too, so it cannot be used to find out who has an account.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public void resendConfirmation(com.lanyardhq.lanyard.v1.ResendConfirmationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResendConfirmationResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResendConfirmationMethod(), responseObserver);
    }

    /**
     * <pre>
     * SendPasswordReset sends a password reset token to the user's email. It answers OK for unknown emails
     * too.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public void sendPasswordReset(com.lanyardhq.lanyard.v1.SendPasswordResetRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.SendPasswordResetResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getSendPasswordResetMethod(), responseObserver);
    }

    /**
     * <pre>
     * ResetPassword sets a new password with a reset token and token id. Existing sessions stay valid.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public void resetPassword(com.lanyardhq.lanyard.v1.ResetPasswordRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResetPasswordResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getResetPasswordMethod(), responseObserver);
    }

    /**
     * <pre>
     * RetryCustomConfirmation runs the app's confirmation function again for a pending email/password
     * user (App Services' retryCustomConfirmation): the function answers success (the user is confirmed),
     * pending (ConfirmUser with the token it was given confirms later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): automatic confirmation is on, the app has no confirmation
     *   function, or the user is already confirmed.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * </pre>
     */
    public void retryCustomConfirmation(com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRetryCustomConfirmationMethod(), responseObserver);
    }

    /**
     * <pre>
     * CallResetPasswordFunction runs the app's password reset function with the new password and the
     * client's arguments (App Services' callResetPasswordFunction): the function answers success (the
     * password is set now), pending (ResetPassword with the token it was given sets it later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): the app has no reset function.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): the password is too short or too long.
     * </pre>
     */
    public void callResetPasswordFunction(com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCallResetPasswordFunctionMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteMe deletes the calling user, its identities, sessions and API keys (and its custom data when
     * configured to). Its access tokens stop working within the revocation interval.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public void deleteMe(com.lanyardhq.lanyard.v1.DeleteMeRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteMeResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteMeMethod(), responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey creates an API key for the calling user. The key's secret is in the response only.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): empty or over-long name.
     * - ALREADY_EXISTS (INVALID_ARGUMENT): the user has a key with this name.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED).
     * </pre>
     */
    public void createApiKey(com.lanyardhq.lanyard.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys lists the calling user's API keys, without secrets.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public void listApiKeys(com.lanyardhq.lanyard.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListApiKeysMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteApiKey deletes one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void deleteApiKey(com.lanyardhq.lanyard.v1.DeleteApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * EnableApiKey enables one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void enableApiKey(com.lanyardhq.lanyard.v1.EnableApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnableApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * DisableApiKey disables one of the calling user's API keys; it can no longer log in.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void disableApiKey(com.lanyardhq.lanyard.v1.DisableApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDisableApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetJwks returns the public keys that verify Lanyard's access tokens, as a JSON Web Key Set (the same
     * as GET /.well-known/jwks.json). Public; answered from memory.
     * </pre>
     */
    public void getJwks(com.lanyardhq.lanyard.v1.GetJwksRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetJwksResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetJwksMethod(), responseObserver);
    }

    /**
     * <pre>
     * WhoAmI returns what the caller's verified access token says, without touching the store: the
     * debugging view of a token and the cheapest authenticated RPC.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * </pre>
     */
    public void whoAmI(com.lanyardhq.lanyard.v1.WhoAmIRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WhoAmIResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getWhoAmIMethod(), responseObserver);
    }

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
          .addMethod(
            getLoginMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.LoginRequest,
                com.lanyardhq.lanyard.v1.LoginResponse>(
                  this, METHODID_LOGIN)))
          .addMethod(
            getLinkIdentityMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.LinkIdentityRequest,
                com.lanyardhq.lanyard.v1.LinkIdentityResponse>(
                  this, METHODID_LINK_IDENTITY)))
          .addMethod(
            getRefreshSessionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RefreshSessionRequest,
                com.lanyardhq.lanyard.v1.RefreshSessionResponse>(
                  this, METHODID_REFRESH_SESSION)))
          .addMethod(
            getLogoutMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.LogoutRequest,
                com.lanyardhq.lanyard.v1.LogoutResponse>(
                  this, METHODID_LOGOUT)))
          .addMethod(
            getRegisterUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RegisterUserRequest,
                com.lanyardhq.lanyard.v1.RegisterUserResponse>(
                  this, METHODID_REGISTER_USER)))
          .addMethod(
            getConfirmUserMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ConfirmUserRequest,
                com.lanyardhq.lanyard.v1.ConfirmUserResponse>(
                  this, METHODID_CONFIRM_USER)))
          .addMethod(
            getResendConfirmationMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ResendConfirmationRequest,
                com.lanyardhq.lanyard.v1.ResendConfirmationResponse>(
                  this, METHODID_RESEND_CONFIRMATION)))
          .addMethod(
            getSendPasswordResetMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.SendPasswordResetRequest,
                com.lanyardhq.lanyard.v1.SendPasswordResetResponse>(
                  this, METHODID_SEND_PASSWORD_RESET)))
          .addMethod(
            getResetPasswordMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ResetPasswordRequest,
                com.lanyardhq.lanyard.v1.ResetPasswordResponse>(
                  this, METHODID_RESET_PASSWORD)))
          .addMethod(
            getRetryCustomConfirmationMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest,
                com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse>(
                  this, METHODID_RETRY_CUSTOM_CONFIRMATION)))
          .addMethod(
            getCallResetPasswordFunctionMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest,
                com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse>(
                  this, METHODID_CALL_RESET_PASSWORD_FUNCTION)))
          .addMethod(
            getDeleteMeMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DeleteMeRequest,
                com.lanyardhq.lanyard.v1.DeleteMeResponse>(
                  this, METHODID_DELETE_ME)))
          .addMethod(
            getCreateApiKeyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.CreateApiKeyRequest,
                com.lanyardhq.lanyard.v1.CreateApiKeyResponse>(
                  this, METHODID_CREATE_API_KEY)))
          .addMethod(
            getListApiKeysMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.ListApiKeysRequest,
                com.lanyardhq.lanyard.v1.ListApiKeysResponse>(
                  this, METHODID_LIST_API_KEYS)))
          .addMethod(
            getDeleteApiKeyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DeleteApiKeyRequest,
                com.lanyardhq.lanyard.v1.DeleteApiKeyResponse>(
                  this, METHODID_DELETE_API_KEY)))
          .addMethod(
            getEnableApiKeyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.EnableApiKeyRequest,
                com.lanyardhq.lanyard.v1.EnableApiKeyResponse>(
                  this, METHODID_ENABLE_API_KEY)))
          .addMethod(
            getDisableApiKeyMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.DisableApiKeyRequest,
                com.lanyardhq.lanyard.v1.DisableApiKeyResponse>(
                  this, METHODID_DISABLE_API_KEY)))
          .addMethod(
            getGetJwksMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.GetJwksRequest,
                com.lanyardhq.lanyard.v1.GetJwksResponse>(
                  this, METHODID_GET_JWKS)))
          .addMethod(
            getWhoAmIMethod(),
            io.grpc.stub.ServerCalls.asyncUnaryCall(
              new MethodHandlers<
                com.lanyardhq.lanyard.v1.WhoAmIRequest,
                com.lanyardhq.lanyard.v1.WhoAmIResponse>(
                  this, METHODID_WHO_AM_I)))
          .build();
    }
  }

  /**
   * <pre>
   * AuthService logs users in with any App Services provider, keeps their sessions alive and manages their
   * email/password accounts and API keys.
   * Every error carries a google.rpc.ErrorInfo (domain "lanyard", reason from ErrorReason). Errors every
   * RPC may return besides those listed: UNAVAILABLE (STORE_UNAVAILABLE) while the store is unreachable,
   * INTERNAL (INTERNAL, with a request id only), DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class AuthServiceStub extends io.grpc.stub.AbstractAsyncStub<AuthServiceStub> {
    private AuthServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Login exchanges credentials for a new session: an access token, a refresh token and the user. The
     * first login with a new identity creates the user (running the user creation hook, if configured).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no credentials or malformed fields.
     * - UNAUTHENTICATED (INVALID_CREDENTIALS): the credentials do not identify a user.
     * - FAILED_PRECONDITION (USER_PENDING_CONFIRMATION, PROVIDER_DISABLED, METADATA_REQUIRED, HOOK_FAILED).
     * - PERMISSION_DENIED (USER_DISABLED): the user is disabled.
     * - RESOURCE_EXHAUSTED (RATE_LIMITED): too many failed attempts for this identity or peer.
     * </pre>
     */
    public void login(com.lanyardhq.lanyard.v1.LoginRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LoginResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLoginMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * LinkIdentity adds the identity behind the given credentials to the calling user, so that either
     * logs in to the same account. Requires the caller's access token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), UNAUTHENTICATED (TOKEN_*, INVALID_CREDENTIALS).
     * - ALREADY_EXISTS (IDENTITY_ALREADY_LINKED): the identity belongs to another user.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, METADATA_REQUIRED).
     * </pre>
     */
    public void linkIdentity(com.lanyardhq.lanyard.v1.LinkIdentityRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LinkIdentityResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLinkIdentityMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for a new access token. Sessions opened over gRPC rotate the
     * refresh token on every use: the response holds its successor and the old token stops working (a
     * retry within the grace window gets the same successor; a later reuse revokes the session). Sessions
     * opened through the App Services HTTP API do not rotate and return the same refresh token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * - PERMISSION_DENIED (USER_DISABLED).
     * </pre>
     */
    public void refreshSession(com.lanyardhq.lanyard.v1.RefreshSessionRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshSessionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRefreshSessionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Logout ends the session of the given refresh token. Logging out of an already ended session succeeds.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID): the token is not a Lanyard refresh token.
     * </pre>
     */
    public void logout(com.lanyardhq.lanyard.v1.LogoutRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LogoutResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getLogoutMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RegisterUser registers email/password (local-userpass) credentials. As in App Services, the user is
     * created at the first login with them (or they are linked to an existing user with LinkIdentity). With
     * auto-confirm on (the default) they work at once; otherwise a confirmation token is sent through the
     * configured sender. A refusing user creation hook fails the first login, not the registration.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): bad email, password too short or too long.
     * - ALREADY_EXISTS (USER_ALREADY_EXISTS).
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, HOOK_FAILED).
     * </pre>
     */
    public void registerUser(com.lanyardhq.lanyard.v1.RegisterUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RegisterUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRegisterUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ConfirmUser confirms a pending email/password user with the token and token id it was sent.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public void confirmUser(com.lanyardhq.lanyard.v1.ConfirmUserRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ConfirmUserResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getConfirmUserMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResendConfirmation sends a new confirmation token to a pending user. It answers OK for unknown emails
     * too, so it cannot be used to find out who has an account.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public void resendConfirmation(com.lanyardhq.lanyard.v1.ResendConfirmationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResendConfirmationResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResendConfirmationMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * SendPasswordReset sends a password reset token to the user's email. It answers OK for unknown emails
     * too.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public void sendPasswordReset(com.lanyardhq.lanyard.v1.SendPasswordResetRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.SendPasswordResetResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getSendPasswordResetMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ResetPassword sets a new password with a reset token and token id. Existing sessions stay valid.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public void resetPassword(com.lanyardhq.lanyard.v1.ResetPasswordRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResetPasswordResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getResetPasswordMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RetryCustomConfirmation runs the app's confirmation function again for a pending email/password
     * user (App Services' retryCustomConfirmation): the function answers success (the user is confirmed),
     * pending (ConfirmUser with the token it was given confirms later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): automatic confirmation is on, the app has no confirmation
     *   function, or the user is already confirmed.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * </pre>
     */
    public void retryCustomConfirmation(com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRetryCustomConfirmationMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CallResetPasswordFunction runs the app's password reset function with the new password and the
     * client's arguments (App Services' callResetPasswordFunction): the function answers success (the
     * password is set now), pending (ResetPassword with the token it was given sets it later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): the app has no reset function.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): the password is too short or too long.
     * </pre>
     */
    public void callResetPasswordFunction(com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCallResetPasswordFunctionMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteMe deletes the calling user, its identities, sessions and API keys (and its custom data when
     * configured to). Its access tokens stop working within the revocation interval.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public void deleteMe(com.lanyardhq.lanyard.v1.DeleteMeRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteMeResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteMeMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * CreateApiKey creates an API key for the calling user. The key's secret is in the response only.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): empty or over-long name.
     * - ALREADY_EXISTS (INVALID_ARGUMENT): the user has a key with this name.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED).
     * </pre>
     */
    public void createApiKey(com.lanyardhq.lanyard.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListApiKeys lists the calling user's API keys, without secrets.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public void listApiKeys(com.lanyardhq.lanyard.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteApiKey deletes one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void deleteApiKey(com.lanyardhq.lanyard.v1.DeleteApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * EnableApiKey enables one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void enableApiKey(com.lanyardhq.lanyard.v1.EnableApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnableApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DisableApiKey disables one of the calling user's API keys; it can no longer log in.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public void disableApiKey(com.lanyardhq.lanyard.v1.DisableApiKeyRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDisableApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetJwks returns the public keys that verify Lanyard's access tokens, as a JSON Web Key Set (the same
     * as GET /.well-known/jwks.json). Public; answered from memory.
     * </pre>
     */
    public void getJwks(com.lanyardhq.lanyard.v1.GetJwksRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetJwksResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetJwksMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * WhoAmI returns what the caller's verified access token says, without touching the store: the
     * debugging view of a token and the cheapest authenticated RPC.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * </pre>
     */
    public void whoAmI(com.lanyardhq.lanyard.v1.WhoAmIRequest request,
        io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WhoAmIResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getWhoAmIMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * <pre>
   * AuthService logs users in with any App Services provider, keeps their sessions alive and manages their
   * email/password accounts and API keys.
   * Every error carries a google.rpc.ErrorInfo (domain "lanyard", reason from ErrorReason). Errors every
   * RPC may return besides those listed: UNAVAILABLE (STORE_UNAVAILABLE) while the store is unreachable,
   * INTERNAL (INTERNAL, with a request id only), DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class AuthServiceBlockingStub extends io.grpc.stub.AbstractBlockingStub<AuthServiceBlockingStub> {
    private AuthServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Login exchanges credentials for a new session: an access token, a refresh token and the user. The
     * first login with a new identity creates the user (running the user creation hook, if configured).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no credentials or malformed fields.
     * - UNAUTHENTICATED (INVALID_CREDENTIALS): the credentials do not identify a user.
     * - FAILED_PRECONDITION (USER_PENDING_CONFIRMATION, PROVIDER_DISABLED, METADATA_REQUIRED, HOOK_FAILED).
     * - PERMISSION_DENIED (USER_DISABLED): the user is disabled.
     * - RESOURCE_EXHAUSTED (RATE_LIMITED): too many failed attempts for this identity or peer.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.LoginResponse login(com.lanyardhq.lanyard.v1.LoginRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLoginMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * LinkIdentity adds the identity behind the given credentials to the calling user, so that either
     * logs in to the same account. Requires the caller's access token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), UNAUTHENTICATED (TOKEN_*, INVALID_CREDENTIALS).
     * - ALREADY_EXISTS (IDENTITY_ALREADY_LINKED): the identity belongs to another user.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, METADATA_REQUIRED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.LinkIdentityResponse linkIdentity(com.lanyardhq.lanyard.v1.LinkIdentityRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLinkIdentityMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for a new access token. Sessions opened over gRPC rotate the
     * refresh token on every use: the response holds its successor and the old token stops working (a
     * retry within the grace window gets the same successor; a later reuse revokes the session). Sessions
     * opened through the App Services HTTP API do not rotate and return the same refresh token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * - PERMISSION_DENIED (USER_DISABLED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RefreshSessionResponse refreshSession(com.lanyardhq.lanyard.v1.RefreshSessionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRefreshSessionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Logout ends the session of the given refresh token. Logging out of an already ended session succeeds.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID): the token is not a Lanyard refresh token.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.LogoutResponse logout(com.lanyardhq.lanyard.v1.LogoutRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getLogoutMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RegisterUser registers email/password (local-userpass) credentials. As in App Services, the user is
     * created at the first login with them (or they are linked to an existing user with LinkIdentity). With
     * auto-confirm on (the default) they work at once; otherwise a confirmation token is sent through the
     * configured sender. A refusing user creation hook fails the first login, not the registration.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): bad email, password too short or too long.
     * - ALREADY_EXISTS (USER_ALREADY_EXISTS).
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, HOOK_FAILED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RegisterUserResponse registerUser(com.lanyardhq.lanyard.v1.RegisterUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRegisterUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ConfirmUser confirms a pending email/password user with the token and token id it was sent.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ConfirmUserResponse confirmUser(com.lanyardhq.lanyard.v1.ConfirmUserRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getConfirmUserMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResendConfirmation sends a new confirmation token to a pending user. It answers OK for unknown emails
     * too, so it cannot be used to find out who has an account.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ResendConfirmationResponse resendConfirmation(com.lanyardhq.lanyard.v1.ResendConfirmationRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResendConfirmationMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * SendPasswordReset sends a password reset token to the user's email. It answers OK for unknown emails
     * too.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.SendPasswordResetResponse sendPasswordReset(com.lanyardhq.lanyard.v1.SendPasswordResetRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getSendPasswordResetMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ResetPassword sets a new password with a reset token and token id. Existing sessions stay valid.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ResetPasswordResponse resetPassword(com.lanyardhq.lanyard.v1.ResetPasswordRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getResetPasswordMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RetryCustomConfirmation runs the app's confirmation function again for a pending email/password
     * user (App Services' retryCustomConfirmation): the function answers success (the user is confirmed),
     * pending (ConfirmUser with the token it was given confirms later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): automatic confirmation is on, the app has no confirmation
     *   function, or the user is already confirmed.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse retryCustomConfirmation(com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRetryCustomConfirmationMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CallResetPasswordFunction runs the app's password reset function with the new password and the
     * client's arguments (App Services' callResetPasswordFunction): the function answers success (the
     * password is set now), pending (ResetPassword with the token it was given sets it later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): the app has no reset function.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): the password is too short or too long.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse callResetPasswordFunction(com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCallResetPasswordFunctionMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteMe deletes the calling user, its identities, sessions and API keys (and its custom data when
     * configured to). Its access tokens stop working within the revocation interval.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DeleteMeResponse deleteMe(com.lanyardhq.lanyard.v1.DeleteMeRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteMeMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * CreateApiKey creates an API key for the calling user. The key's secret is in the response only.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): empty or over-long name.
     * - ALREADY_EXISTS (INVALID_ARGUMENT): the user has a key with this name.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.CreateApiKeyResponse createApiKey(com.lanyardhq.lanyard.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListApiKeys lists the calling user's API keys, without secrets.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.ListApiKeysResponse listApiKeys(com.lanyardhq.lanyard.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteApiKey deletes one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DeleteApiKeyResponse deleteApiKey(com.lanyardhq.lanyard.v1.DeleteApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableApiKey enables one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.EnableApiKeyResponse enableApiKey(com.lanyardhq.lanyard.v1.EnableApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnableApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableApiKey disables one of the calling user's API keys; it can no longer log in.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.DisableApiKeyResponse disableApiKey(com.lanyardhq.lanyard.v1.DisableApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDisableApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetJwks returns the public keys that verify Lanyard's access tokens, as a JSON Web Key Set (the same
     * as GET /.well-known/jwks.json). Public; answered from memory.
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.GetJwksResponse getJwks(com.lanyardhq.lanyard.v1.GetJwksRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetJwksMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * WhoAmI returns what the caller's verified access token says, without touching the store: the
     * debugging view of a token and the cheapest authenticated RPC.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * </pre>
     */
    public com.lanyardhq.lanyard.v1.WhoAmIResponse whoAmI(com.lanyardhq.lanyard.v1.WhoAmIRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getWhoAmIMethod(), getCallOptions(), request);
    }
  }

  /**
   * <pre>
   * AuthService logs users in with any App Services provider, keeps their sessions alive and manages their
   * email/password accounts and API keys.
   * Every error carries a google.rpc.ErrorInfo (domain "lanyard", reason from ErrorReason). Errors every
   * RPC may return besides those listed: UNAVAILABLE (STORE_UNAVAILABLE) while the store is unreachable,
   * INTERNAL (INTERNAL, with a request id only), DEADLINE_EXCEEDED and CANCELLED.
   * </pre>
   */
  public static final class AuthServiceFutureStub extends io.grpc.stub.AbstractFutureStub<AuthServiceFutureStub> {
    private AuthServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected AuthServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new AuthServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Login exchanges credentials for a new session: an access token, a refresh token and the user. The
     * first login with a new identity creates the user (running the user creation hook, if configured).
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no credentials or malformed fields.
     * - UNAUTHENTICATED (INVALID_CREDENTIALS): the credentials do not identify a user.
     * - FAILED_PRECONDITION (USER_PENDING_CONFIRMATION, PROVIDER_DISABLED, METADATA_REQUIRED, HOOK_FAILED).
     * - PERMISSION_DENIED (USER_DISABLED): the user is disabled.
     * - RESOURCE_EXHAUSTED (RATE_LIMITED): too many failed attempts for this identity or peer.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.LoginResponse> login(
        com.lanyardhq.lanyard.v1.LoginRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLoginMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * LinkIdentity adds the identity behind the given credentials to the calling user, so that either
     * logs in to the same account. Requires the caller's access token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), UNAUTHENTICATED (TOKEN_*, INVALID_CREDENTIALS).
     * - ALREADY_EXISTS (IDENTITY_ALREADY_LINKED): the identity belongs to another user.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, METADATA_REQUIRED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.LinkIdentityResponse> linkIdentity(
        com.lanyardhq.lanyard.v1.LinkIdentityRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLinkIdentityMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RefreshSession exchanges a refresh token for a new access token. Sessions opened over gRPC rotate the
     * refresh token on every use: the response holds its successor and the old token stops working (a
     * retry within the grace window gets the same successor; a later reuse revokes the session). Sessions
     * opened through the App Services HTTP API do not rotate and return the same refresh token.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * - PERMISSION_DENIED (USER_DISABLED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RefreshSessionResponse> refreshSession(
        com.lanyardhq.lanyard.v1.RefreshSessionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRefreshSessionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Logout ends the session of the given refresh token. Logging out of an already ended session succeeds.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): no refresh token.
     * - UNAUTHENTICATED (TOKEN_INVALID): the token is not a Lanyard refresh token.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.LogoutResponse> logout(
        com.lanyardhq.lanyard.v1.LogoutRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getLogoutMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RegisterUser registers email/password (local-userpass) credentials. As in App Services, the user is
     * created at the first login with them (or they are linked to an existing user with LinkIdentity). With
     * auto-confirm on (the default) they work at once; otherwise a confirmation token is sent through the
     * configured sender. A refusing user creation hook fails the first login, not the registration.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): bad email, password too short or too long.
     * - ALREADY_EXISTS (USER_ALREADY_EXISTS).
     * - FAILED_PRECONDITION (PROVIDER_DISABLED, HOOK_FAILED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RegisterUserResponse> registerUser(
        com.lanyardhq.lanyard.v1.RegisterUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRegisterUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ConfirmUser confirms a pending email/password user with the token and token id it was sent.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ConfirmUserResponse> confirmUser(
        com.lanyardhq.lanyard.v1.ConfirmUserRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getConfirmUserMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResendConfirmation sends a new confirmation token to a pending user. It answers OK for unknown emails
     * too, so it cannot be used to find out who has an account.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ResendConfirmationResponse> resendConfirmation(
        com.lanyardhq.lanyard.v1.ResendConfirmationRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResendConfirmationMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * SendPasswordReset sends a password reset token to the user's email. It answers OK for unknown emails
     * too.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), RESOURCE_EXHAUSTED (RATE_LIMITED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.SendPasswordResetResponse> sendPasswordReset(
        com.lanyardhq.lanyard.v1.SendPasswordResetRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getSendPasswordResetMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ResetPassword sets a new password with a reset token and token id. Existing sessions stay valid.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (TOKEN_USED_OR_EXPIRED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ResetPasswordResponse> resetPassword(
        com.lanyardhq.lanyard.v1.ResetPasswordRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getResetPasswordMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RetryCustomConfirmation runs the app's confirmation function again for a pending email/password
     * user (App Services' retryCustomConfirmation): the function answers success (the user is confirmed),
     * pending (ConfirmUser with the token it was given confirms later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): automatic confirmation is on, the app has no confirmation
     *   function, or the user is already confirmed.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse> retryCustomConfirmation(
        com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRetryCustomConfirmationMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CallResetPasswordFunction runs the app's password reset function with the new password and the
     * client's arguments (App Services' callResetPasswordFunction): the function answers success (the
     * password is set now), pending (ResetPassword with the token it was given sets it later) or fail.
     * Errors include:
     * - FAILED_PRECONDITION (HOOK_FAILED): the function threw or answered fail; the message is the
     *   function's.
     * - FAILED_PRECONDITION (INVALID_ARGUMENT): the app has no reset function.
     * - NOT_FOUND (NOT_FOUND): no user has this email.
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): the password is too short or too long.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse> callResetPasswordFunction(
        com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCallResetPasswordFunctionMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteMe deletes the calling user, its identities, sessions and API keys (and its custom data when
     * configured to). Its access tokens stop working within the revocation interval.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DeleteMeResponse> deleteMe(
        com.lanyardhq.lanyard.v1.DeleteMeRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteMeMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * CreateApiKey creates an API key for the calling user. The key's secret is in the response only.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT): empty or over-long name.
     * - ALREADY_EXISTS (INVALID_ARGUMENT): the user has a key with this name.
     * - FAILED_PRECONDITION (PROVIDER_DISABLED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.CreateApiKeyResponse> createApiKey(
        com.lanyardhq.lanyard.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListApiKeys lists the calling user's API keys, without secrets.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_*).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.ListApiKeysResponse> listApiKeys(
        com.lanyardhq.lanyard.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteApiKey deletes one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DeleteApiKeyResponse> deleteApiKey(
        com.lanyardhq.lanyard.v1.DeleteApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * EnableApiKey enables one of the calling user's API keys.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.EnableApiKeyResponse> enableApiKey(
        com.lanyardhq.lanyard.v1.EnableApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnableApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DisableApiKey disables one of the calling user's API keys; it can no longer log in.
     * Errors include:
     * - INVALID_ARGUMENT (INVALID_ARGUMENT), NOT_FOUND (NOT_FOUND).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.DisableApiKeyResponse> disableApiKey(
        com.lanyardhq.lanyard.v1.DisableApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDisableApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetJwks returns the public keys that verify Lanyard's access tokens, as a JSON Web Key Set (the same
     * as GET /.well-known/jwks.json). Public; answered from memory.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.GetJwksResponse> getJwks(
        com.lanyardhq.lanyard.v1.GetJwksRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetJwksMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * WhoAmI returns what the caller's verified access token says, without touching the store: the
     * debugging view of a token and the cheapest authenticated RPC.
     * Errors include:
     * - UNAUTHENTICATED (TOKEN_MISSING, TOKEN_INVALID, TOKEN_EXPIRED, SESSION_REVOKED).
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<com.lanyardhq.lanyard.v1.WhoAmIResponse> whoAmI(
        com.lanyardhq.lanyard.v1.WhoAmIRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getWhoAmIMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_LOGIN = 0;
  private static final int METHODID_LINK_IDENTITY = 1;
  private static final int METHODID_REFRESH_SESSION = 2;
  private static final int METHODID_LOGOUT = 3;
  private static final int METHODID_REGISTER_USER = 4;
  private static final int METHODID_CONFIRM_USER = 5;
  private static final int METHODID_RESEND_CONFIRMATION = 6;
  private static final int METHODID_SEND_PASSWORD_RESET = 7;
  private static final int METHODID_RESET_PASSWORD = 8;
  private static final int METHODID_RETRY_CUSTOM_CONFIRMATION = 9;
  private static final int METHODID_CALL_RESET_PASSWORD_FUNCTION = 10;
  private static final int METHODID_DELETE_ME = 11;
  private static final int METHODID_CREATE_API_KEY = 12;
  private static final int METHODID_LIST_API_KEYS = 13;
  private static final int METHODID_DELETE_API_KEY = 14;
  private static final int METHODID_ENABLE_API_KEY = 15;
  private static final int METHODID_DISABLE_API_KEY = 16;
  private static final int METHODID_GET_JWKS = 17;
  private static final int METHODID_WHO_AM_I = 18;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AuthServiceImplBase serviceImpl;
    private final int methodId;

    MethodHandlers(AuthServiceImplBase serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_LOGIN:
          serviceImpl.login((com.lanyardhq.lanyard.v1.LoginRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LoginResponse>) responseObserver);
          break;
        case METHODID_LINK_IDENTITY:
          serviceImpl.linkIdentity((com.lanyardhq.lanyard.v1.LinkIdentityRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LinkIdentityResponse>) responseObserver);
          break;
        case METHODID_REFRESH_SESSION:
          serviceImpl.refreshSession((com.lanyardhq.lanyard.v1.RefreshSessionRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RefreshSessionResponse>) responseObserver);
          break;
        case METHODID_LOGOUT:
          serviceImpl.logout((com.lanyardhq.lanyard.v1.LogoutRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.LogoutResponse>) responseObserver);
          break;
        case METHODID_REGISTER_USER:
          serviceImpl.registerUser((com.lanyardhq.lanyard.v1.RegisterUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RegisterUserResponse>) responseObserver);
          break;
        case METHODID_CONFIRM_USER:
          serviceImpl.confirmUser((com.lanyardhq.lanyard.v1.ConfirmUserRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ConfirmUserResponse>) responseObserver);
          break;
        case METHODID_RESEND_CONFIRMATION:
          serviceImpl.resendConfirmation((com.lanyardhq.lanyard.v1.ResendConfirmationRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResendConfirmationResponse>) responseObserver);
          break;
        case METHODID_SEND_PASSWORD_RESET:
          serviceImpl.sendPasswordReset((com.lanyardhq.lanyard.v1.SendPasswordResetRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.SendPasswordResetResponse>) responseObserver);
          break;
        case METHODID_RESET_PASSWORD:
          serviceImpl.resetPassword((com.lanyardhq.lanyard.v1.ResetPasswordRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ResetPasswordResponse>) responseObserver);
          break;
        case METHODID_RETRY_CUSTOM_CONFIRMATION:
          serviceImpl.retryCustomConfirmation((com.lanyardhq.lanyard.v1.RetryCustomConfirmationRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.RetryCustomConfirmationResponse>) responseObserver);
          break;
        case METHODID_CALL_RESET_PASSWORD_FUNCTION:
          serviceImpl.callResetPasswordFunction((com.lanyardhq.lanyard.v1.CallResetPasswordFunctionRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CallResetPasswordFunctionResponse>) responseObserver);
          break;
        case METHODID_DELETE_ME:
          serviceImpl.deleteMe((com.lanyardhq.lanyard.v1.DeleteMeRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteMeResponse>) responseObserver);
          break;
        case METHODID_CREATE_API_KEY:
          serviceImpl.createApiKey((com.lanyardhq.lanyard.v1.CreateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.CreateApiKeyResponse>) responseObserver);
          break;
        case METHODID_LIST_API_KEYS:
          serviceImpl.listApiKeys((com.lanyardhq.lanyard.v1.ListApiKeysRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.ListApiKeysResponse>) responseObserver);
          break;
        case METHODID_DELETE_API_KEY:
          serviceImpl.deleteApiKey((com.lanyardhq.lanyard.v1.DeleteApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DeleteApiKeyResponse>) responseObserver);
          break;
        case METHODID_ENABLE_API_KEY:
          serviceImpl.enableApiKey((com.lanyardhq.lanyard.v1.EnableApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.EnableApiKeyResponse>) responseObserver);
          break;
        case METHODID_DISABLE_API_KEY:
          serviceImpl.disableApiKey((com.lanyardhq.lanyard.v1.DisableApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.DisableApiKeyResponse>) responseObserver);
          break;
        case METHODID_GET_JWKS:
          serviceImpl.getJwks((com.lanyardhq.lanyard.v1.GetJwksRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.GetJwksResponse>) responseObserver);
          break;
        case METHODID_WHO_AM_I:
          serviceImpl.whoAmI((com.lanyardhq.lanyard.v1.WhoAmIRequest) request,
              (io.grpc.stub.StreamObserver<com.lanyardhq.lanyard.v1.WhoAmIResponse>) responseObserver);
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

  private static abstract class AuthServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    AuthServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return com.lanyardhq.lanyard.v1.AuthProto.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("AuthService");
    }
  }

  private static final class AuthServiceFileDescriptorSupplier
      extends AuthServiceBaseDescriptorSupplier {
    AuthServiceFileDescriptorSupplier() {}
  }

  private static final class AuthServiceMethodDescriptorSupplier
      extends AuthServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final String methodName;

    AuthServiceMethodDescriptorSupplier(String methodName) {
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
      synchronized (AuthServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new AuthServiceFileDescriptorSupplier())
              .addMethod(getLoginMethod())
              .addMethod(getLinkIdentityMethod())
              .addMethod(getRefreshSessionMethod())
              .addMethod(getLogoutMethod())
              .addMethod(getRegisterUserMethod())
              .addMethod(getConfirmUserMethod())
              .addMethod(getResendConfirmationMethod())
              .addMethod(getSendPasswordResetMethod())
              .addMethod(getResetPasswordMethod())
              .addMethod(getRetryCustomConfirmationMethod())
              .addMethod(getCallResetPasswordFunctionMethod())
              .addMethod(getDeleteMeMethod())
              .addMethod(getCreateApiKeyMethod())
              .addMethod(getListApiKeysMethod())
              .addMethod(getDeleteApiKeyMethod())
              .addMethod(getEnableApiKeyMethod())
              .addMethod(getDisableApiKeyMethod())
              .addMethod(getGetJwksMethod())
              .addMethod(getWhoAmIMethod())
              .build();
        }
      }
    }
    return result;
  }
}
