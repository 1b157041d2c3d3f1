"""Byte-level codec compatibility with the reference protobuf implementation (PyPI `protobuf`).

  codec_vectors.py encode          prints {"name": "hex", ...} for the canonical messages
  codec_vectors.py decode < JSON   decodes each hex with Python and compares it with the canonical
                                   message; prints {"name": "ok" | "<what differs>", ...}
  codec_vectors.py json            prints {"name": <proto3 JSON of the message>, ...} as
                                   google.protobuf.json_format writes it

The canonical messages are built identically in Tests/RPCProtobufCTests/CodecVectors.swift.
"""

import json
import sys

import protos

protos.ensure_generated()

from fixtures.v1 import kinds_pb2  # noqa: E402
from order.v1 import order_pb2  # noqa: E402


def scalars_extremes():
    m = kinds_pb2.Scalars()
    m.f_double = 1.5
    m.f_float = -2.25
    m.f_int64 = -(2**63)
    m.f_uint64 = 2**64 - 1
    m.f_int32 = -(2**31)
    m.f_fixed64 = 2**64 - 2
    m.f_fixed32 = 2**32 - 1
    m.f_bool = True
    m.f_string = "h\u00e9llo \u263a \U0001f608"
    m.f_bytes = b"\x00\x01\xff"
    m.f_uint32 = 2**32 - 1
    m.f_enum = kinds_pb2.COLOR_INFRARED
    m.f_sfixed32 = -5
    m.f_sfixed64 = -6
    m.f_sint32 = -7
    m.f_sint64 = -8
    return m


def repeated_values():
    m = kinds_pb2.Repeated()
    m.r_double.extend([0.5, -1.0])
    m.r_float.extend([0.25])
    m.r_int64.extend([-1, 2**62])
    m.r_uint64.extend([0, 2**64 - 1])
    m.r_int32.extend([-1, 0, 1])
    m.r_fixed64.extend([7])
    m.r_fixed32.extend([8, 9])
    m.r_bool.extend([True, False, True])
    m.r_string.extend(["a", "", "\u00fc"])
    m.r_bytes.extend([b"", b"\x00"])
    m.r_uint32.extend([300])
    m.r_enum.extend([kinds_pb2.COLOR_RED, kinds_pb2.COLOR_INFRARED, 42])
    m.r_sfixed32.extend([-1])
    m.r_sfixed64.extend([-2])
    m.r_sint32.extend([-3, 3])
    m.r_sint64.extend([-4])
    first = m.r_message.add()
    first.f_string = "first"
    second = m.r_message.add()
    second.f_int32 = 2
    return m


def everything():
    m = kinds_pb2.Everything()
    m.scalars.f_int32 = 1
    m.repeated.r_int32.append(2)
    m.nested.label = "inner"
    m.nested.level = kinds_pb2.Everything.Nested.LEVEL_DEEP
    m.nested.child_list_holder.label = "grandchild"
    m.counts["one"] = 1
    m.by_id[-5].f_string = "minus five"
    m.flags[True] = "yes"
    m.colors[3] = kinds_pb2.COLOR_GREEN
    m.choice_message.f_bool = True
    m.created.seconds = 1_700_000_000
    m.created.nanos = 123_456_789
    m.ttl.seconds = -1
    m.ttl.nanos = -500_000_000
    m.nickname.value = ""
    m.big.value = 0
    m.maybe.value = False
    m.blob.value = b"\x01"
    m.ratio.value = 0.125
    m.small.value = 7
    m.nothing.SetInParent()
    m.fraction.value = 0.5
    m.medium.value = -9
    m.huge.value = 2**63
    return m


def order_with_items():
    m = order_pb2.Order()
    m.id = "0f8e3c1a-6f4b-4c7e-9a57-1d2b3c4d5e6f"
    m.user_id = "u-42"
    for index in range(10):
        item = m.items.add()
        item.sku = f"SKU-{index:04d}"
        item.quantity = index + 1
        item.unit_price_cents = 1999 + index
    m.status = order_pb2.ORDER_STATUS_CREATED
    m.total_cents = sum((i + 1) * (1999 + i) for i in range(10))
    m.create_time.seconds = 1_700_000_000
    m.create_time.nanos = 5
    m.request_id = "req-1"
    return m


CANONICAL = {
    "scalars_extremes": scalars_extremes,
    "repeated_values": repeated_values,
    "everything": everything,
    "order_with_items": order_with_items,
    "empty_everything": kinds_pb2.Everything,
}


def main():
    mode = sys.argv[1]
    if mode == "encode":
        print(json.dumps({name: make().SerializeToString().hex() for name, make in CANONICAL.items()}))
    elif mode == "json":
        from google.protobuf import json_format

        print(json.dumps({name: json_format.MessageToDict(make()) for name, make in CANONICAL.items()}))
    elif mode == "decode":
        vectors = json.load(sys.stdin)
        results = {}
        for name, hex_bytes in vectors.items():
            expected = CANONICAL[name]()
            actual = type(expected)()
            actual.ParseFromString(bytes.fromhex(hex_bytes))
            results[name] = "ok" if actual == expected else f"decoded {actual} expected {expected}"
        print(json.dumps(results))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
