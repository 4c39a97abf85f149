"""End-to-end check of the Python client (gen/python, the package lanyard-client: protoc's Python output and
grpc_python_plugin, with grpcio) against a live Lanyard. Run by interop/clients_test.go with Debian's
interpreter, the package installed into a folder of its own:

    /usr/bin/python3 -m pip install --no-index --no-build-isolation --no-deps --target DIR ./gen/python
    PYTHONPATH=DIR /usr/bin/python3 interop/python/client.py

with LANYARD_GRPC_ADDR (host:port of Lanyard's plaintext gRPC listener) and LANYARD_SERVER_API_KEY (a
server API key) set. It prints every check it makes and exits non-zero at the first one that fails.
"""

import os
import sys

import grpc
from google.protobuf import json_format, struct_pb2
from google.rpc import error_details_pb2, status_pb2

from lanyard.v1 import admin_pb2, admin_pb2_grpc
from lanyard.v1 import auth_pb2, auth_pb2_grpc
from lanyard.v1 import custom_data_pb2, custom_data_pb2_grpc

TIMEOUT = 10  # seconds, per unary call
checks = 0


def fail(msg):
    print(f"FAIL: {msg}", flush=True)
    sys.exit(1)


def check(cond, what, detail=""):
    global checks
    if not cond:
        fail(f"{what}: {detail}" if detail else what)
    checks += 1
    print(f"ok   {what}", flush=True)


def bearer(token):
    return [("authorization", f"Bearer {token}")]


def struct(d):
    s = struct_pb2.Struct()
    s.update(d)
    return s


def as_dict(s):
    return json_format.MessageToDict(s)


def error_info(err):
    """The google.rpc.ErrorInfo in an RpcError's grpc-status-details-bin trailer, or None."""
    for key, value in err.trailing_metadata() or ():
        if key == "grpc-status-details-bin":
            st = status_pb2.Status.FromString(value)
            check(st.code == err.code().value[0], "status details carry the call's status code")
            for any_ in st.details:
                if any_.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
                    info = error_details_pb2.ErrorInfo()
                    any_.Unpack(info)
                    return info
    return None


def expect_error(what, call, code, reason):
    try:
        call()
    except grpc.RpcError as err:
        check(err.code() == code, f"{what}: code {code.name}", f"got {err.code().name} ({err.details()})")
        info = error_info(err)
        check(info is not None, f"{what}: a google.rpc.ErrorInfo in the status details")
        check(info.domain == "lanyard", f'{what}: ErrorInfo domain "lanyard"', repr(info.domain))
        check(info.reason == reason, f"{what}: ErrorInfo reason {reason}", repr(info.reason))
        return
    fail(f"{what}: succeeded, want {code.name}")


def main():
    addr = os.environ.get("LANYARD_GRPC_ADDR") or fail("LANYARD_GRPC_ADDR is not set")
    server_key = os.environ.get("LANYARD_SERVER_API_KEY") or fail("LANYARD_SERVER_API_KEY is not set")

    with grpc.insecure_channel(addr) as channel:
        auth = auth_pb2_grpc.AuthServiceStub(channel)
        data = custom_data_pb2_grpc.CustomDataServiceStub(channel)
        admin = admin_pb2_grpc.AdminServiceStub(channel)

        # Anonymous login.
        login = auth.Login(auth_pb2.LoginRequest(anonymous=auth_pb2.AnonymousCredentials()), timeout=TIMEOUT)
        check(login.access_token and login.refresh_token, "Login(anonymous) returns an access and a refresh token")
        check(login.user_id and login.user.user_id == login.user_id, "Login returns the new user", login.user_id)
        check(login.user.identities[0].provider_type == "anon-user", 'Login: the identity is "anon-user"')

        # An authenticated RPC, with and without a token.
        me = auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=bearer(login.access_token), timeout=TIMEOUT)
        check(me.user_id == login.user_id, "WhoAmI names the logged-in user", me.user_id)
        check(me.user_type == "normal", 'WhoAmI: user_type "normal"', me.user_type)
        expect_error("WhoAmI without a token", lambda: auth.WhoAmI(auth_pb2.WhoAmIRequest(), timeout=TIMEOUT),
                     grpc.StatusCode.UNAUTHENTICATED, "TOKEN_MISSING")

        # Custom data: update, then read back.
        upd = data.UpdateCustomData(
            custom_data_pb2.UpdateCustomDataRequest(set=struct({"color": "blue", "tags": ["a", "b"]}),
                                                    inc=struct({"visits": 1})),
            metadata=bearer(login.access_token), timeout=TIMEOUT)
        check(upd.version >= 1, "UpdateCustomData returns version >= 1", str(upd.version))
        check(upd.access_token != "", "UpdateCustomData returns a fresh access token for the caller")
        got = data.GetCustomData(custom_data_pb2.GetCustomDataRequest(), metadata=bearer(login.access_token),
                                 timeout=TIMEOUT)
        doc = as_dict(got.data)
        check(doc.get("color") == "blue", 'GetCustomData shows color "blue"', str(doc))
        check(doc.get("visits") == 1, "GetCustomData shows visits 1", str(doc))
        check(doc.get("tags") == ["a", "b"], 'GetCustomData shows tags ["a", "b"]', str(doc))
        check(got.version == upd.version, "GetCustomData shows the updated version", f"{got.version} vs {upd.version}")

        # Refresh: gRPC sessions rotate the refresh token.
        ref = auth.RefreshSession(auth_pb2.RefreshSessionRequest(refresh_token=login.refresh_token), timeout=TIMEOUT)
        check(ref.refresh_token and ref.refresh_token != login.refresh_token, "RefreshSession rotates the refresh token")
        me2 = auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=bearer(ref.access_token), timeout=TIMEOUT)
        check(me2.user_id == login.user_id and me2.session_id == me.session_id,
              "the refreshed access token works for the same user and session")
        check(as_dict(me2.user_data).get("color") == "blue", "the refreshed access token carries the custom data",
              str(as_dict(me2.user_data)))

        # Watch: the current document first, then our own change.
        stream = data.WatchCustomData(custom_data_pb2.WatchCustomDataRequest(), metadata=bearer(ref.access_token),
                                      timeout=20)
        try:
            first = next(stream)
            check(as_dict(first.data).get("color") == "blue",
                  'WatchCustomData first sends the current document (color "blue")', str(as_dict(first.data)))
            u = data.UpdateCustomData(custom_data_pb2.UpdateCustomDataRequest(set=struct({"color": "green"})),
                                      metadata=bearer(ref.access_token), timeout=TIMEOUT)
            check(u.version > first.version, "UpdateCustomData during the watch bumps the version")
            for ev in stream:
                if as_dict(ev.data).get("color") == "green":
                    check(ev.version > first.version,
                          'WatchCustomData delivers the change (color "green", newer version)')
                    break
            else:
                fail("WatchCustomData ended without delivering the change")
        except grpc.RpcError as err:
            fail(f"WatchCustomData: {err.code().name}: {err.details()}")
        finally:
            stream.cancel()

        # Admin RPCs need a server principal.
        expect_error("AdminService.GetUser as a normal user",
                     lambda: admin.GetUser(admin_pb2.GetUserRequest(user_id=login.user_id),
                                           metadata=bearer(ref.access_token), timeout=TIMEOUT),
                     grpc.StatusCode.PERMISSION_DENIED, "SERVER_PRINCIPAL_REQUIRED")
        srv = auth.Login(auth_pb2.LoginRequest(api_key=auth_pb2.ApiKeyCredentials(key=server_key)), timeout=TIMEOUT)
        srv_me = auth.WhoAmI(auth_pb2.WhoAmIRequest(), metadata=bearer(srv.access_token), timeout=TIMEOUT)
        check(srv_me.user_type == "server", 'Login with the server API key: user_type "server"', srv_me.user_type)
        user = admin.GetUser(admin_pb2.GetUserRequest(user_id=login.user_id), metadata=bearer(srv.access_token),
                             timeout=TIMEOUT)
        check(user.user.user_id == login.user_id, "AdminService.GetUser as the server principal returns the user")

    print(f"PASS: python client, {checks} checks", flush=True)


if __name__ == "__main__":
    try:
        main()
    except grpc.RpcError as err:
        fail(f"unexpected error: {err.code().name}: {err.details()}")
