#!/usr/bin/env bash
# `make lint`: the layering rules the compiler does not check.
#  1. C modules are imported only by their bridge and by generated code.
#  2. Unsafe pointers appear only in the bridges, generated code, and the few places listed here,
#     each for zero-copy access to a NIO buffer or a system call.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0

c_modules='CNGHTTP2|CProtobufC|CSQLite|CContracts|CWellKnownTypes|CFixtures'
c_allowed='^(Sources/(NGHTTP2Bridge|RPCProtobufC|SQLiteStore|protoc-gen-swift-rpc|Contracts)/|Tests/Fixtures/)'
while IFS= read -r hit; do
  file=${hit%%:*}
  if ! [[ $file =~ $c_allowed ]]; then
    echo "lint: $hit: C module imported outside its bridge" >&2
    status=1
  fi
done < <(grep -rnE "^(internal |public |@_implementationOnly )?import ($c_modules)\b" Sources Tests --include='*.swift' || true)

unsafe_allowed='^(Sources/(NGHTTP2Bridge|RPCProtobufC|SQLiteStore|protoc-gen-swift-rpc|Contracts|RPCCodeGen)/|Tests/)'
# Outside the bridges: the message protocol's raw-buffer requirements (so the transport can decode
# from and encode into its own buffers without a copy), the transport's buffer access, raw
# writes of the listening line to stdout and of log lines to stderr, and the read of
# /proc/self/status for the CPU affinity.
unsafe_exceptions=(
  Sources/RPCCore/RPCMessage.swift
  Sources/RPCCore/Call/ServerMethod.swift
  Sources/RPCTransport/Internal/ByteBuffer+Serialization.swift
  Sources/RPCTransport/Server/ServerConnectionHandler.swift
  Sources/RPCTransport/Client/HTTP2ClientTransport.swift
  Sources/ServiceKit/ServerRunner.swift
  Sources/ServiceKit/LineLogHandler.swift
  Sources/ServiceKit/EventLoopSizing.swift
  Sources/Executables/edge/main.swift
)
while IFS= read -r hit; do
  file=${hit%%:*}
  [[ $file =~ $unsafe_allowed ]] && continue
  allowed=0
  for exception in "${unsafe_exceptions[@]}"; do [ "$file" = "$exception" ] && allowed=1; done
  if [ $allowed -eq 0 ]; then
    echo "lint: $hit: unsafe pointer use outside a bridge" >&2
    status=1
  fi
done < <(grep -rnE "\b(Unsafe[A-Za-z]*Pointer|withUnsafe[A-Za-z]*|Unmanaged)\b" Sources --include='*.swift' || true)

if [ $status -eq 0 ]; then echo "lint: layering rules hold"; fi
exit $status
