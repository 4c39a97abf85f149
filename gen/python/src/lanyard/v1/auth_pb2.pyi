from buf.validate import validate_pb2 as _validate_pb2
from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from lanyard.v1 import options_pb2 as _options_pb2
from lanyard.v1 import types_pb2 as _types_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Iterable as _Iterable, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AnonymousCredentials(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ApiKeyCredentials(_message.Message):
    __slots__ = ["key"]
    KEY_FIELD_NUMBER: _ClassVar[int]
    key: str
    def __init__(self, key: _Optional[str] = ...) -> None: ...

class CallResetPasswordFunctionRequest(_message.Message):
    __slots__ = ["arguments", "email", "password"]
    ARGUMENTS_FIELD_NUMBER: _ClassVar[int]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    arguments: _struct_pb2.ListValue
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ..., arguments: _Optional[_Union[_struct_pb2.ListValue, _Mapping]] = ...) -> None: ...

class CallResetPasswordFunctionResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ConfirmUserRequest(_message.Message):
    __slots__ = ["token", "token_id"]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    token: str
    token_id: str
    def __init__(self, token: _Optional[str] = ..., token_id: _Optional[str] = ...) -> None: ...

class ConfirmUserResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class CreateApiKeyRequest(_message.Message):
    __slots__ = ["name"]
    NAME_FIELD_NUMBER: _ClassVar[int]
    name: str
    def __init__(self, name: _Optional[str] = ...) -> None: ...

class CreateApiKeyResponse(_message.Message):
    __slots__ = ["api_key", "key"]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    KEY_FIELD_NUMBER: _ClassVar[int]
    api_key: _types_pb2.ApiKey
    key: str
    def __init__(self, api_key: _Optional[_Union[_types_pb2.ApiKey, _Mapping]] = ..., key: _Optional[str] = ...) -> None: ...

class CustomFunctionCredentials(_message.Message):
    __slots__ = ["payload"]
    PAYLOAD_FIELD_NUMBER: _ClassVar[int]
    payload: _struct_pb2.Struct
    def __init__(self, payload: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...

class CustomTokenCredentials(_message.Message):
    __slots__ = ["token"]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    token: str
    def __init__(self, token: _Optional[str] = ...) -> None: ...

class DeleteApiKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DeleteApiKeyResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class DeleteMeRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class DeleteMeResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class DisableApiKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class DisableApiKeyResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class EmailPasswordCredentials(_message.Message):
    __slots__ = ["email", "password"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class EnableApiKeyRequest(_message.Message):
    __slots__ = ["id"]
    ID_FIELD_NUMBER: _ClassVar[int]
    id: str
    def __init__(self, id: _Optional[str] = ...) -> None: ...

class EnableApiKeyResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class FacebookCredentials(_message.Message):
    __slots__ = ["access_token"]
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    def __init__(self, access_token: _Optional[str] = ...) -> None: ...

class GetJwksRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class GetJwksResponse(_message.Message):
    __slots__ = ["keys"]
    KEYS_FIELD_NUMBER: _ClassVar[int]
    keys: _containers.RepeatedCompositeFieldContainer[JsonWebKey]
    def __init__(self, keys: _Optional[_Iterable[_Union[JsonWebKey, _Mapping]]] = ...) -> None: ...

class GoogleCredentials(_message.Message):
    __slots__ = ["id_token"]
    ID_TOKEN_FIELD_NUMBER: _ClassVar[int]
    id_token: str
    def __init__(self, id_token: _Optional[str] = ...) -> None: ...

class JsonWebKey(_message.Message):
    __slots__ = ["alg", "crv", "e", "kid", "kty", "n", "use", "x", "y"]
    ALG_FIELD_NUMBER: _ClassVar[int]
    CRV_FIELD_NUMBER: _ClassVar[int]
    E_FIELD_NUMBER: _ClassVar[int]
    KID_FIELD_NUMBER: _ClassVar[int]
    KTY_FIELD_NUMBER: _ClassVar[int]
    N_FIELD_NUMBER: _ClassVar[int]
    USE_FIELD_NUMBER: _ClassVar[int]
    X_FIELD_NUMBER: _ClassVar[int]
    Y_FIELD_NUMBER: _ClassVar[int]
    alg: str
    crv: str
    e: str
    kid: str
    kty: str
    n: str
    use: str
    x: str
    y: str
    def __init__(self, kty: _Optional[str] = ..., kid: _Optional[str] = ..., use: _Optional[str] = ..., alg: _Optional[str] = ..., crv: _Optional[str] = ..., x: _Optional[str] = ..., y: _Optional[str] = ..., n: _Optional[str] = ..., e: _Optional[str] = ...) -> None: ...

class LinkIdentityRequest(_message.Message):
    __slots__ = ["api_key", "custom_token", "email_password", "facebook", "google"]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_TOKEN_FIELD_NUMBER: _ClassVar[int]
    EMAIL_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    FACEBOOK_FIELD_NUMBER: _ClassVar[int]
    GOOGLE_FIELD_NUMBER: _ClassVar[int]
    api_key: ApiKeyCredentials
    custom_token: CustomTokenCredentials
    email_password: EmailPasswordCredentials
    facebook: FacebookCredentials
    google: GoogleCredentials
    def __init__(self, email_password: _Optional[_Union[EmailPasswordCredentials, _Mapping]] = ..., api_key: _Optional[_Union[ApiKeyCredentials, _Mapping]] = ..., custom_token: _Optional[_Union[CustomTokenCredentials, _Mapping]] = ..., google: _Optional[_Union[GoogleCredentials, _Mapping]] = ..., facebook: _Optional[_Union[FacebookCredentials, _Mapping]] = ...) -> None: ...

class LinkIdentityResponse(_message.Message):
    __slots__ = ["user"]
    USER_FIELD_NUMBER: _ClassVar[int]
    user: _types_pb2.User
    def __init__(self, user: _Optional[_Union[_types_pb2.User, _Mapping]] = ...) -> None: ...

class ListApiKeysRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListApiKeysResponse(_message.Message):
    __slots__ = ["api_keys"]
    API_KEYS_FIELD_NUMBER: _ClassVar[int]
    api_keys: _containers.RepeatedCompositeFieldContainer[_types_pb2.ApiKey]
    def __init__(self, api_keys: _Optional[_Iterable[_Union[_types_pb2.ApiKey, _Mapping]]] = ...) -> None: ...

class LoginRequest(_message.Message):
    __slots__ = ["anonymous", "api_key", "custom_function", "custom_token", "device", "email_password", "facebook", "google"]
    ANONYMOUS_FIELD_NUMBER: _ClassVar[int]
    API_KEY_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_FUNCTION_FIELD_NUMBER: _ClassVar[int]
    CUSTOM_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_FIELD_NUMBER: _ClassVar[int]
    EMAIL_PASSWORD_FIELD_NUMBER: _ClassVar[int]
    FACEBOOK_FIELD_NUMBER: _ClassVar[int]
    GOOGLE_FIELD_NUMBER: _ClassVar[int]
    anonymous: AnonymousCredentials
    api_key: ApiKeyCredentials
    custom_function: CustomFunctionCredentials
    custom_token: CustomTokenCredentials
    device: _types_pb2.DeviceInfo
    email_password: EmailPasswordCredentials
    facebook: FacebookCredentials
    google: GoogleCredentials
    def __init__(self, anonymous: _Optional[_Union[AnonymousCredentials, _Mapping]] = ..., email_password: _Optional[_Union[EmailPasswordCredentials, _Mapping]] = ..., api_key: _Optional[_Union[ApiKeyCredentials, _Mapping]] = ..., custom_token: _Optional[_Union[CustomTokenCredentials, _Mapping]] = ..., google: _Optional[_Union[GoogleCredentials, _Mapping]] = ..., facebook: _Optional[_Union[FacebookCredentials, _Mapping]] = ..., custom_function: _Optional[_Union[CustomFunctionCredentials, _Mapping]] = ..., device: _Optional[_Union[_types_pb2.DeviceInfo, _Mapping]] = ...) -> None: ...

class LoginResponse(_message.Message):
    __slots__ = ["access_token", "device_id", "refresh_token", "user", "user_id"]
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    device_id: str
    refresh_token: str
    user: _types_pb2.User
    user_id: str
    def __init__(self, access_token: _Optional[str] = ..., refresh_token: _Optional[str] = ..., user_id: _Optional[str] = ..., device_id: _Optional[str] = ..., user: _Optional[_Union[_types_pb2.User, _Mapping]] = ...) -> None: ...

class LogoutRequest(_message.Message):
    __slots__ = ["refresh_token"]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class LogoutResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class RefreshSessionRequest(_message.Message):
    __slots__ = ["refresh_token"]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    refresh_token: str
    def __init__(self, refresh_token: _Optional[str] = ...) -> None: ...

class RefreshSessionResponse(_message.Message):
    __slots__ = ["access_token", "refresh_token"]
    ACCESS_TOKEN_FIELD_NUMBER: _ClassVar[int]
    REFRESH_TOKEN_FIELD_NUMBER: _ClassVar[int]
    access_token: str
    refresh_token: str
    def __init__(self, access_token: _Optional[str] = ..., refresh_token: _Optional[str] = ...) -> None: ...

class RegisterUserRequest(_message.Message):
    __slots__ = ["email", "password"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    email: str
    password: str
    def __init__(self, email: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class RegisterUserResponse(_message.Message):
    __slots__ = ["confirmed"]
    CONFIRMED_FIELD_NUMBER: _ClassVar[int]
    confirmed: bool
    def __init__(self, confirmed: bool = ...) -> None: ...

class ResendConfirmationRequest(_message.Message):
    __slots__ = ["email"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class ResendConfirmationResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ResetPasswordRequest(_message.Message):
    __slots__ = ["password", "token", "token_id"]
    PASSWORD_FIELD_NUMBER: _ClassVar[int]
    TOKEN_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    password: str
    token: str
    token_id: str
    def __init__(self, token: _Optional[str] = ..., token_id: _Optional[str] = ..., password: _Optional[str] = ...) -> None: ...

class ResetPasswordResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class RetryCustomConfirmationRequest(_message.Message):
    __slots__ = ["email"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class RetryCustomConfirmationResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class SendPasswordResetRequest(_message.Message):
    __slots__ = ["email"]
    EMAIL_FIELD_NUMBER: _ClassVar[int]
    email: str
    def __init__(self, email: _Optional[str] = ...) -> None: ...

class SendPasswordResetResponse(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class WhoAmIRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class WhoAmIResponse(_message.Message):
    __slots__ = ["device_id", "expire_time", "issue_time", "session_id", "token_id", "user_data", "user_data_omitted", "user_id", "user_metadata", "user_type"]
    DEVICE_ID_FIELD_NUMBER: _ClassVar[int]
    EXPIRE_TIME_FIELD_NUMBER: _ClassVar[int]
    ISSUE_TIME_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TOKEN_ID_FIELD_NUMBER: _ClassVar[int]
    USER_DATA_FIELD_NUMBER: _ClassVar[int]
    USER_DATA_OMITTED_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    USER_METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_TYPE_FIELD_NUMBER: _ClassVar[int]
    device_id: str
    expire_time: _timestamp_pb2.Timestamp
    issue_time: _timestamp_pb2.Timestamp
    session_id: str
    token_id: str
    user_data: _struct_pb2.Struct
    user_data_omitted: bool
    user_id: str
    user_metadata: _struct_pb2.Struct
    user_type: str
    def __init__(self, user_id: _Optional[str] = ..., user_type: _Optional[str] = ..., session_id: _Optional[str] = ..., token_id: _Optional[str] = ..., device_id: _Optional[str] = ..., issue_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., expire_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., user_data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., user_data_omitted: bool = ..., user_metadata: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
