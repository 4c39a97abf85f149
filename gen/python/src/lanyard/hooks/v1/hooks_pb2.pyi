from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from typing import ClassVar as _ClassVar, Mapping as _Mapping, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class OnUserCreationRequest(_message.Message):
    __slots__ = ["app_id", "data", "provider_id", "provider_type", "type", "user_id"]
    APP_ID_FIELD_NUMBER: _ClassVar[int]
    DATA_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_TYPE_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    app_id: str
    data: _struct_pb2.Struct
    provider_id: str
    provider_type: str
    type: str
    user_id: str
    def __init__(self, user_id: _Optional[str] = ..., type: _Optional[str] = ..., provider_type: _Optional[str] = ..., provider_id: _Optional[str] = ..., data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., app_id: _Optional[str] = ...) -> None: ...

class OnUserCreationResponse(_message.Message):
    __slots__ = ["custom_data"]
    CUSTOM_DATA_FIELD_NUMBER: _ClassVar[int]
    custom_data: _struct_pb2.Struct
    def __init__(self, custom_data: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ...) -> None: ...
