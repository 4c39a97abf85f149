"""Logs in to Lanyard anonymously and prints the user id, then calls an AdminService RPC, which a normal
user is refused, and prints the code and reason of the refusal. It exits non-zero when either step goes
otherwise."""

import os
import sys

import grpc
from google.rpc import error_details_pb2, status_pb2
from lanyard.v1 import admin_pb2, admin_pb2_grpc, auth_pb2, auth_pb2_grpc

# The variable `lanyard serve` listens on, so that a shell that sets it for both agrees.
target = os.environ.get("LANYARD_GRPC_ADDR") or "127.0.0.1:50051"

# Plaintext, as a development Lanyard listens; use grpc.secure_channel for TLS.
with grpc.insecure_channel(target) as channel:
    auth = auth_pb2_grpc.AuthServiceStub(channel)
    admin = admin_pb2_grpc.AdminServiceStub(channel)

    login = auth.Login(auth_pb2.LoginRequest(anonymous=auth_pb2.AnonymousCredentials()), timeout=10)
    print("user id:", login.user_id)

    try:
        admin.ListUsers(admin_pb2.ListUsersRequest(), timeout=10,
                        metadata=[("authorization", f"Bearer {login.access_token}")])
        code, reason = grpc.StatusCode.OK, ""
    except grpc.RpcError as err:
        # The google.rpc.Status in this trailer carries the google.rpc.ErrorInfo.
        status = status_pb2.Status.FromString(dict(err.trailing_metadata())["grpc-status-details-bin"])
        info = error_details_pb2.ErrorInfo()
        code, reason = err.code(), next((info.reason for d in status.details if d.Unpack(info)), "")
    print("ListUsers:", code.name, reason)
    if code != grpc.StatusCode.PERMISSION_DENIED or reason != "SERVER_PRINCIPAL_REQUIRED":
        sys.exit("want PERMISSION_DENIED with reason SERVER_PRINCIPAL_REQUIRED")
