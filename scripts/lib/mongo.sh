# Shared by scripts/test and scripts/demo: make sure MONGO_URI points at a
# running MongoDB-compatible server. Sourced, not run.

# Installs secantusdb from PyPI when its launcher is missing.
ensure_secantus() {
  if ! command -v secantusd-py >/dev/null 2>&1; then
    echo "installing secantusdb (MongoDB-compatible test server) from PyPI…" >&2
    python3 -m pip install --quiet --disable-pip-version-check secantusdb >&2
    hash -r
  fi
}

# A free TCP port on the loopback interface.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something accepts connections on 127.0.0.1:$1.
wait_for_port() {
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "nothing is listening on 127.0.0.1:$1 after 30 s" >&2
  return 1
}

# Starts secantusdb unless MONGO_URI is set. $1: storage path (default: in
# memory). The server is stopped when the calling script exits.
start_mongo_if_needed() {
  if [ -n "${MONGO_URI:-}" ]; then return 0; fi
  ensure_secantus
  local port storage log
  port=$(free_port)
  storage=${1:-:memory:}
  mkdir -p .tmp
  log=.tmp/secantusd-$port.log
  # Test commands enable fail points (configureFailPoint) for fault tests.
  secantusd-py --port "$port" --storage-path "$storage" --enable-test-commands >"$log" 2>&1 &
  MONGO_PID=$!
  trap 'kill "$MONGO_PID" 2>/dev/null || true' EXIT
  if ! wait_for_port "$port"; then cat "$log" >&2; return 1; fi
  export MONGO_URI="mongodb://127.0.0.1:$port"
}
