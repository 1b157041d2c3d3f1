#!/usr/bin/env bash
# `make run`: user-service, order-service and the edge on loopback, databases under ./data, a
# fresh service token and JWT secret, a development bearer token printed. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:?BIN must name the folder with the built executables}
USER_PORT=${USER_SERVICE_PORT:-50051}
ORDER_PORT=${ORDER_SERVICE_PORT:-50052}
EDGE_PORT=${EDGE_PORT:-8080}
mkdir -p data

random_hex() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export SERVICE_TOKEN=${SERVICE_TOKEN:-$(random_hex)}
export EDGE_JWT_SECRET=${EDGE_JWT_SECRET:-$(random_hex)}

pids=()
stop() {
  trap - INT TERM
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
  echo "stopped (exit $status)"
  exit 0
}
trap stop INT TERM

# start NAME PORT COMMAND...: runs a server, its stderr (the logs) prefixed, and waits until it
# prints its listening line.
start() {
  local name=$1 port=$2; shift 2
  local ready
  ready=$(mktemp)
  ( "$@" 2> >(sed -u "s/^/[$name] /" >&2) | tee "$ready" > /dev/null ) &
  pids+=($!)
  for _ in $(seq 1 200); do
    if grep -q '^listening ' "$ready" 2>/dev/null; then rm -f "$ready"; return 0; fi
    sleep 0.05
  done
  echo "$name did not start on port $port" >&2
  stop
}

start user-service "$USER_PORT" "$BIN/user-service" --port "$USER_PORT" --db data/users.db
start order-service "$ORDER_PORT" "$BIN/order-service" --port "$ORDER_PORT" --db data/orders.db --user-addr "127.0.0.1:$USER_PORT"
start edge "$EDGE_PORT" "$BIN/edge" --port "$EDGE_PORT" --user-addr "127.0.0.1:$USER_PORT" --order-addr "127.0.0.1:$ORDER_PORT"
TOKEN=$("$BIN/edge" mint-token --sub developer --ttl 24h)

cat <<INFO

  user-service   grpc://127.0.0.1:$USER_PORT    user.v1.UserService    data/users.db
  order-service  grpc://127.0.0.1:$ORDER_PORT    order.v1.OrderService  data/orders.db
  edge           http://127.0.0.1:$EDGE_PORT     REST/JSON, the public entry

  Development token (24 h):
    export TOKEN=$TOKEN

  Try:
    curl -s -X POST http://127.0.0.1:$EDGE_PORT/v1/users \\
      -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application/json' \\
      -d '{"name": "Ada Lovelace", "email": "ada@example.com"}'
    curl -s http://127.0.0.1:$EDGE_PORT/v1/users -H "Authorization: Bearer \$TOKEN"
    curl -s http://127.0.0.1:$EDGE_PORT/openapi.json

  Ctrl-C stops everything.

INFO
wait
