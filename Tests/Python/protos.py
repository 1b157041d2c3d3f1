"""Compiles the project's .proto files to Python with grpcio-tools, once per checkout."""

import importlib
import os
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "Tests" / "Python" / "generated"

PROTOS = [
    ("proto", "user/v1/user.proto"),
    ("proto", "order/v1/order.proto"),
    ("proto", "bench/v1/echo.proto"),
    ("proto", "grpc/health/v1/health.proto"),
    ("proto", "grpc/testing/empty.proto"),
    ("proto", "grpc/testing/messages.proto"),
    ("proto", "grpc/testing/test.proto"),
    ("proto", "google/api/http.proto"),
    ("proto", "google/api/annotations.proto"),
    ("Tests/Fixtures/proto", "fixtures/v1/kinds.proto"),
]


def ensure_generated():
    """Generates the Python modules when a .proto is newer than its output, and puts them on the path."""
    from grpc_tools import protoc
    import grpc_tools

    well_known = pathlib.Path(grpc_tools.__file__).parent / "_proto"
    OUT.mkdir(parents=True, exist_ok=True)
    for root, proto in PROTOS:
        source = ROOT / root / proto
        target = OUT / proto.replace(".proto", "_pb2.py")
        if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
            continue
        args = [
            "grpc_tools.protoc",
            f"-I{ROOT / root}",
            f"-I{ROOT / 'proto'}",
            f"-I{well_known}",
            f"--python_out={OUT}",
            f"--grpc_python_out={OUT}",
            str(source),
        ]
        if protoc.main(args) != 0:
            raise SystemExit(f"grpc_tools.protoc failed for {proto}")
    if str(OUT) not in sys.path:
        sys.path.insert(0, str(OUT))
    importlib.invalidate_caches()
