"""gRPC interop test server built on the reference implementation (PyPI `grpcio`).

  interop_server.py --port N [--use_tls=false]      (N = 0 picks a free port)

Serves grpc.testing.TestService (unary methods, as in grpc/grpc doc/interop-test-descriptions.md)
and grpc.health.v1.Health/Check over plaintext, so the Swift client can be checked against a
peer we did not write. grpc.testing.UnimplementedService is deliberately not registered: the
unimplemented_service case expects the server to answer UNIMPLEMENTED for an unknown service.

Besides the official features, UnaryCall and CacheableUnaryCall honour request metadata
`x-interop-sleep-ms: N` by waiting N ms before answering (returning early when the call is
cancelled or its deadline passes), which the deadline_exceeded case relies on.

Prints exactly one line, `LISTENING <port>`, on stdout once the server accepts connections;
everything else goes to stderr. SIGTERM and SIGINT stop it cleanly with exit status 0.
"""

import argparse
import logging
import signal
import sys
import threading
from concurrent import futures

import grpc

import protos

protos.ensure_generated()

from grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"
SLEEP_KEY = "x-interop-sleep-ms"
SERVING_SERVICES = ("", "grpc.testing.TestService")
# Lets a test drain in-flight calls on shutdown without stalling the harness that stops us.
SHUTDOWN_GRACE_S = 1.0

STATUS_BY_NUMBER = {code.value[0]: code for code in grpc.StatusCode}


def first_metadata_value(context, key):
    for item in context.invocation_metadata() or ():
        if item.key == key:
            return item.value
    return None


def sleep_unless_done(context, milliseconds):
    """Waits `milliseconds`, but wakes as soon as the RPC terminates (cancel, deadline).

    Returns False when the RPC is no longer active, i.e. the answer would go nowhere.
    """
    done = threading.Event()
    # add_callback returns False when the RPC already terminated; the callback never runs then.
    if not context.add_callback(done.set):
        return False
    done.wait(milliseconds / 1000.0)
    return context.is_active()


class TestService(test_pb2_grpc.TestServiceServicer):
    def EmptyCall(self, request, context):
        return empty_pb2.Empty()

    def UnaryCall(self, request, context):
        return self._simple_response(request, context)

    def CacheableUnaryCall(self, request, context):
        # Without a caching proxy in front of us there is nothing cache-specific to exercise;
        # answering like UnaryCall keeps the method usable for plain unary tests.
        return self._simple_response(request, context)

    def UnimplementedCall(self, request, context):
        context.abort(grpc.StatusCode.UNIMPLEMENTED, "UnimplementedCall is unimplemented by design")

    def _simple_response(self, request, context):
        sleep = first_metadata_value(context, SLEEP_KEY)
        if sleep is not None:
            try:
                milliseconds = int(sleep)
            except ValueError:
                milliseconds = -1
            if milliseconds < 0:
                context.abort(grpc.StatusCode.INVALID_ARGUMENT, f"bad {SLEEP_KEY} value {sleep!r}")
            if not sleep_unless_done(context, milliseconds):
                # The client gave up; grpcio discards whatever we return for a terminated RPC.
                return messages_pb2.SimpleResponse()

        # Echo metadata before anything can fail, so it also travels with error statuses.
        initial = first_metadata_value(context, ECHO_INITIAL_KEY)
        if initial is not None:
            context.send_initial_metadata(((ECHO_INITIAL_KEY, initial),))
        trailing = first_metadata_value(context, ECHO_TRAILING_KEY)
        if trailing is not None:
            context.set_trailing_metadata(((ECHO_TRAILING_KEY, trailing),))

        if request.HasField("response_status") and request.response_status.code != 0:
            code = STATUS_BY_NUMBER.get(request.response_status.code)
            if code is None:
                context.abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"response_status.code {request.response_status.code} is not a gRPC status code",
                )
            context.abort(code, request.response_status.message)

        if request.response_type != messages_pb2.COMPRESSABLE:
            # The spec asks servers to reject payload types they cannot produce.
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"unsupported response_type {request.response_type}"
            )
        if request.response_size < 0:
            context.abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"negative response_size {request.response_size}"
            )
        return messages_pb2.SimpleResponse(
            payload=messages_pb2.Payload(
                type=messages_pb2.COMPRESSABLE, body=bytes(request.response_size)
            )
        )


class HealthService(health_pb2_grpc.HealthServicer):
    def Check(self, request, context):
        if request.service not in SERVING_SERVICES:
            context.abort(grpc.StatusCode.NOT_FOUND, f"unknown service {request.service!r}")
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


def parse_bool(text):
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on; 0 picks a free one")
    parser.add_argument(
        "--use_tls", type=parse_bool, default=False,
        help="accepted for command-line compatibility with the official servers; only false works",
    )
    args = parser.parse_args(argv)
    if args.use_tls:
        parser.error("--use_tls=true is not supported; this server only speaks plaintext")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is out of range")
    return args


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)

    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16))
    test_pb2_grpc.add_TestServiceServicer_to_server(TestService(), server)
    health_pb2_grpc.add_HealthServicer_to_server(HealthService(), server)
    try:
        # "[::]" is dual-stack, so clients dialling 127.0.0.1, ::1 or localhost all reach us.
        port = server.add_insecure_port(f"[::]:{args.port}")
    except RuntimeError as error:
        port = 0
        print(f"interop_server: {error}", file=sys.stderr)
    if port == 0:
        print(f"interop_server: could not bind port {args.port}", file=sys.stderr)
        return 1

    # Installed before start() so a signal arriving right after LISTENING is not lost. A parent
    # may hand down a mask that blocks them (Foundation's Process does), so unblock them too.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())

    server.start()
    print(f"LISTENING {port}", flush=True)
    # Event.wait with a timeout keeps the main thread responsive to signal handlers.
    while not stop.wait(0.5):
        pass
    server.stop(SHUTDOWN_GRACE_S).wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
