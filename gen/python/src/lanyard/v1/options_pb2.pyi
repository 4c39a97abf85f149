from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from typing import ClassVar as _ClassVar

ACCESS_FIELD_NUMBER: _ClassVar[int]
ACCESS_PUBLIC: Access
ACCESS_SERVER: Access
ACCESS_UNSPECIFIED: Access
ACCESS_USER: Access
DESCRIPTOR: _descriptor.FileDescriptor
NEEDS_STORE_FIELD_NUMBER: _ClassVar[int]
access: _descriptor.FieldDescriptor
needs_store: _descriptor.FieldDescriptor

class Access(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = []
