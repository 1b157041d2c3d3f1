"""gRPC interop test client built on the reference implementation (PyPI `grpcio`).

  interop_client.py --server_host H --server_port P --test_case NAME[,NAME...] [--use_tls=false]

Runs the unary subset of grpc/grpc doc/interop-test-descriptions.md against a server that
implements grpc.testing.TestService (and grpc.health.v1.Health), so the Swift server can be checked
against a peer we did not write. Besides the official cases there are two of our own:

  deadline_exceeded  UnaryCall with `x-interop-sleep-ms: 500` and a 100 ms deadline must end in
                     DEADLINE_EXCEEDED promptly, and the channel must stay usable afterwards.
  health_check       grpc.health.v1.Health/Check("") must answer SERVING.

`all` runs every case in order. Prints `PASS name` or `FAIL name: reason` per case on stdout,
repeats the failures on stderr, and exits 0 only when every requested case passed.
"""

import argparse
import sys
import time

import grpc

import protos

protos.ensure_generated()

from grpc.health.v1 import health_pb2, health_pb2_grpc  # noqa: E402
from grpc.testing import empty_pb2, messages_pb2, test_pb2_grpc  # noqa: E402

# Sizes and values fixed by interop-test-descriptions.md, shared with the other implementations.
LARGE_REQUEST_SIZE = 271828
LARGE_RESPONSE_SIZE = 314159
ECHO_INITIAL_KEY = "x-grpc-test-echo-initial"
ECHO_INITIAL_VALUE = "test_initial_metadata_value"
ECHO_TRAILING_KEY = "x-grpc-test-echo-trailing-bin"
ECHO_TRAILING_VALUE = b"\xab\xab\xab"
STATUS_MESSAGE = "test status message"
SPECIAL_STATUS_MESSAGE = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \U0001f608\t\n"

# Our own extension understood by Tests/Python/interop_server.py and the Swift interop server.
SLEEP_KEY = "x-interop-sleep-ms"
SLEEP_MS = 500
SHORT_DEADLINE_S = 0.1
# Generous bound: the point is that the deadline fires on the client's clock instead of
# waiting for the server, not how precise the timer is on a loaded CI machine.
DEADLINE_REPORT_BOUND_S = 2.0


class CaseFailure(Exception):
    """An interop assertion that did not hold; the message is the reason printed in FAIL lines."""


def expect(condition, reason):
    if not condition:
        raise CaseFailure(reason)


def expect_status(call, code, message=None, **kwargs):
    """Runs `call` and checks that it fails with `code` (and `message`, when given)."""
    try:
        call(**kwargs)
    except grpc.RpcError as error:
        expect(
            error.code() == code,
            f"expected status {code.name}, got {error.code().name} ({error.details()!r})",
        )
        if message is not None:
            expect(
                error.details() == message,
                f"expected status message {message!r}, got {error.details()!r}",
            )
        return error
    raise CaseFailure(f"expected status {code.name}, but the call succeeded")


def large_request():
    return messages_pb2.SimpleRequest(
        response_type=messages_pb2.COMPRESSABLE,
        response_size=LARGE_RESPONSE_SIZE,
        payload=messages_pb2.Payload(body=bytes(LARGE_REQUEST_SIZE)),
    )


def expect_large_response(response):
    body = response.payload.body
    expect(
        len(body) == LARGE_RESPONSE_SIZE,
        f"response payload is {len(body)} bytes, expected {LARGE_RESPONSE_SIZE}",
    )
    expect(body == bytes(LARGE_RESPONSE_SIZE), "response payload is not all zero bytes")


def metadata_values(metadata, key):
    return [item.value for item in (metadata or ()) if item.key == key]


# --- cases -------------------------------------------------------------------------------------
# Each case takes the channel and the per-call timeout and raises CaseFailure (or lets an
# unexpected grpc.RpcError escape) when the peer misbehaves.


def empty_unary(channel, timeout):
    response = test_pb2_grpc.TestServiceStub(channel).EmptyCall(empty_pb2.Empty(), timeout=timeout)
    expect(isinstance(response, empty_pb2.Empty), f"unexpected response type {type(response)}")


def large_unary(channel, timeout):
    response = test_pb2_grpc.TestServiceStub(channel).UnaryCall(large_request(), timeout=timeout)
    expect_large_response(response)


def custom_metadata(channel, timeout):
    stub = test_pb2_grpc.TestServiceStub(channel)
    response, call = stub.UnaryCall.with_call(
        large_request(),
        metadata=((ECHO_INITIAL_KEY, ECHO_INITIAL_VALUE), (ECHO_TRAILING_KEY, ECHO_TRAILING_VALUE)),
        timeout=timeout,
    )
    expect_large_response(response)
    initial = metadata_values(call.initial_metadata(), ECHO_INITIAL_KEY)
    expect(
        initial == [ECHO_INITIAL_VALUE],
        f"initial metadata {ECHO_INITIAL_KEY} = {initial!r}, expected [{ECHO_INITIAL_VALUE!r}]",
    )
    trailing = metadata_values(call.trailing_metadata(), ECHO_TRAILING_KEY)
    expect(
        trailing == [ECHO_TRAILING_VALUE],
        f"trailing metadata {ECHO_TRAILING_KEY} = {trailing!r}, expected [{ECHO_TRAILING_VALUE!r}]",
    )


def _status_request(message):
    return messages_pb2.SimpleRequest(
        response_status=messages_pb2.EchoStatus(code=grpc.StatusCode.UNKNOWN.value[0], message=message)
    )


def status_code_and_message(channel, timeout):
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect_status(
        stub.UnaryCall, grpc.StatusCode.UNKNOWN, STATUS_MESSAGE,
        request=_status_request(STATUS_MESSAGE), timeout=timeout,
    )


def special_status_message(channel, timeout):
    # The message has to survive grpc-message percent-encoding byte for byte, including the
    # leading/trailing whitespace and the 4-byte UTF-8 sequence.
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect_status(
        stub.UnaryCall, grpc.StatusCode.UNKNOWN, SPECIAL_STATUS_MESSAGE,
        request=_status_request(SPECIAL_STATUS_MESSAGE), timeout=timeout,
    )


def unimplemented_method(channel, timeout):
    stub = test_pb2_grpc.TestServiceStub(channel)
    expect_status(
        stub.UnimplementedCall, grpc.StatusCode.UNIMPLEMENTED,
        request=empty_pb2.Empty(), timeout=timeout,
    )


def unimplemented_service(channel, timeout):
    stub = test_pb2_grpc.UnimplementedServiceStub(channel)
    expect_status(
        stub.UnimplementedCall, grpc.StatusCode.UNIMPLEMENTED,
        request=empty_pb2.Empty(), timeout=timeout,
    )


def deadline_exceeded(channel, timeout):
    stub = test_pb2_grpc.TestServiceStub(channel)
    started = time.monotonic()
    expect_status(
        stub.UnaryCall, grpc.StatusCode.DEADLINE_EXCEEDED,
        request=messages_pb2.SimpleRequest(),
        metadata=((SLEEP_KEY, str(SLEEP_MS)),),
        timeout=SHORT_DEADLINE_S,
    )
    elapsed = time.monotonic() - started
    expect(
        elapsed < DEADLINE_REPORT_BOUND_S,
        f"DEADLINE_EXCEEDED took {elapsed:.2f} s to arrive (bound {DEADLINE_REPORT_BOUND_S} s)",
    )
    # An expired call must not poison the connection it ran on.
    try:
        empty_unary(channel, timeout)
    except grpc.RpcError as error:
        raise CaseFailure(
            f"EmptyCall on the same channel after the deadline failed: "
            f"{error.code().name} ({error.details()!r})"
        ) from error


def health_check(channel, timeout):
    stub = health_pb2_grpc.HealthStub(channel)
    response = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=timeout)
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)
    expect(
        response.status == health_pb2.HealthCheckResponse.SERVING, f"status is {status}, expected SERVING"
    )


CASES = {
    case.__name__: case
    for case in (
        empty_unary,
        large_unary,
        custom_metadata,
        status_code_and_message,
        special_status_message,
        unimplemented_method,
        unimplemented_service,
        deadline_exceeded,
        health_check,
    )
}


def parse_bool(text):
    lowered = text.lower()
    if lowered in ("true", "1", "yes"):
        return True
    if lowered in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, got {text!r}")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server_host", default="localhost")
    parser.add_argument("--server_port", type=int, required=True)
    parser.add_argument(
        "--test_case", default="all",
        help="a case name, a comma-separated list of them, or 'all': " + ", ".join(CASES),
    )
    parser.add_argument(
        "--use_tls", type=parse_bool, default=False,
        help="accepted for command-line compatibility with the official clients; only false works",
    )
    parser.add_argument(
        "--rpc_timeout_s", type=float, default=10.0,
        help="deadline applied to every call so a broken server cannot hang the run",
    )
    args = parser.parse_args(argv)
    if args.use_tls:
        # Running plaintext when TLS was asked for would report results for the wrong setup.
        parser.error("--use_tls=true is not supported; this client only speaks plaintext")
    names = list(CASES) if args.test_case == "all" else [n for n in args.test_case.split(",") if n]
    unknown = [n for n in names if n not in CASES]
    if unknown or not names:
        parser.error(
            f"unknown test case {','.join(unknown) or args.test_case!r}; "
            f"known: all, {', '.join(CASES)}"
        )
    args.cases = names
    return args


def run_case(name, target, timeout):
    """Runs one case on its own channel, so a failure cannot cascade into the next case."""
    with grpc.insecure_channel(target) as channel:
        try:
            CASES[name](channel, timeout)
        except CaseFailure as failure:
            return str(failure)
        except grpc.RpcError as error:
            return f"unexpected status {error.code().name} ({error.details()!r})"
        except Exception as error:  # noqa: BLE001 - any crash in a case is a FAIL, not a traceback
            return f"{type(error).__name__}: {error}"
    return None


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    target = f"{args.server_host}:{args.server_port}"
    failures = []
    for name in args.cases:
        reason = run_case(name, target, args.rpc_timeout_s)
        if reason is None:
            print(f"PASS {name}", flush=True)
        else:
            print(f"FAIL {name}: {reason}", flush=True)
            failures.append((name, reason))
    for name, reason in failures:
        print(f"interop_client: FAIL {name} against {target}: {reason}", file=sys.stderr)
    if failures:
        print(f"interop_client: {len(failures)} of {len(args.cases)} case(s) failed", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
