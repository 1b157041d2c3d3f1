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
    _graft_grpc_namespace()
    importlib.invalidate_caches()


def _graft_grpc_namespace():
    """Makes the generated grpc/testing and grpc/health modules importable as `grpc.testing.*`.

    Those protos live in package `grpc.*`, so protoc emits them under OUT/grpc and their own
    imports say `from grpc.testing import empty_pb2`. But the grpcio runtime is a regular package
    named `grpc` (it has an __init__.py), and a regular package always wins over the plain
    directory OUT/grpc, so `grpc.testing` would not be found. Appending OUT/grpc to the real
    package's __path__ lets the import system look there for submodules too, which keeps the
    generated code unmodified and the grpcio runtime intact (grpcio ships no `testing` or
    `health` subpackage, so nothing is shadowed).
    """
    import grpc

    generated = str(OUT / "grpc")
    if generated not in grpc.__path__:
        grpc.__path__.append(generated)
