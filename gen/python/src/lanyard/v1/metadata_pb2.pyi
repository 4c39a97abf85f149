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

class GetProfileRequest(_message.Message):
    __slots__ = ["user_id"]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    def __init__(self, user_id: _Optional[str] = ...) -> None: ...

class GetProfileResponse(_message.Message):
    __slots__ = ["profile"]
    PROFILE_FIELD_NUMBER: _ClassVar[int]
    profile: Profile
    def __init__(self, profile: _Optional[_Union[Profile, _Mapping]] = ...) -> None: ...

class ListMetadataFieldsRequest(_message.Message):
    __slots__ = []
    def __init__(self) -> None: ...

class ListMetadataFieldsResponse(_message.Message):
    __slots__ = ["providers"]
    PROVIDERS_FIELD_NUMBER: _ClassVar[int]
    providers: _containers.RepeatedCompositeFieldContainer[ProviderMetadataFields]
    def __init__(self, providers: _Optional[_Iterable[_Union[ProviderMetadataFields, _Mapping]]] = ...) -> None: ...

class MetadataField(_message.Message):
    __slots__ = ["field_name", "name", "required"]
    FIELD_NAME_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    field_name: str
    name: str
    required: bool
    def __init__(self, name: _Optional[str] = ..., field_name: _Optional[str] = ..., required: bool = ...) -> None: ...

class Profile(_message.Message):
    __slots__ = ["create_time", "data", "identities", "last_login_time", "type", "user_id"]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    IDENTITIES_FIELD_NUMBER: _ClassVar[int]
    LAST_LOGIN_TIME_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    create_time: _timestamp_pb2.Timestamp
    data: _struct_pb2.Struct
    identities: _containers.RepeatedCompositeFieldContainer[_types_pb2.Identity]
    last_login_time: _timestamp_pb2.Timestamp
    type: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., type: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., identities: _Optional[_Iterable[_Union[_types_pb2.Identity, _Mapping]]] = ..., create_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ..., last_login_time: _Optional[_Union[_timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProviderMetadataFields(_message.Message):
    __slots__ = ["fields", "provider_type"]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    fields: _containers.RepeatedCompositeFieldContainer[MetadataField]
    provider_type: str
    def __init__(self, provider_type: _Optional[str] = ..., fields: _Optional[_Iterable[_Union[MetadataField, _Mapping]]] = ...) -> None: ...
