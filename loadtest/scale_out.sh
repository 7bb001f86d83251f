#!/usr/bin/env bash
# Scaling out: K app processes behind nginx with sticky sessions, on the loopback interface,
# and the load test through nginx, for each K given; everything is stopped afterwards.
#
#   loadtest/scale_out.sh                       # K = 1 2 3, default load-test settings
#   loadtest/scale_out.sh 1 2 -- --students 30 --seconds 30 --saturation-seconds 30
#
# The app processes listen on 127.0.0.1:8601.. (APP_PORT), nginx on 127.0.0.1:8600 (NGINX_PORT).
# Installs Debian's nginx with apt-get when it is missing (needs root), without starting
# Debian's own nginx service. Prints one line per K: the saturation point (reruns per second
# with every student moving without pause) and the paced figures. KEEP=1 keeps the work
# folder (configs, logs, JSON results) and prints where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
NGINX_PORT=${NGINX_PORT:-8600}
APP_PORT=${APP_PORT:-8601}
NGINX_WORKERS=${NGINX_WORKERS:-1}

KS=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do KS+=("$1"); shift; done
[ $# -gt 0 ] && shift            # the "--"
LOAD_ARGS=("$@")
[ ${#KS[@]} -eq 0 ] && KS=(1 2 3)

# ------------------------------------------------------------------ nginx
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ]; then
  echo "== installing nginx (Debian's package)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  # Keep Debian's nginx service from starting on port 80 during the install (invoke-rc.d
  # asks /usr/sbin/policy-rc.d; 101 = "action forbidden"). Only if no such policy exists.
  POLICY_ADDED=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    POLICY_ADDED=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq nginx >/dev/null || { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq nginx >/dev/null; }
  [ -n "$POLICY_ADDED" ] && $SUDO rm -f /usr/sbin/policy-rc.d
  NGINX=$(command -v nginx || echo /usr/sbin/nginx)
fi
"$NGINX" -v

# ------------------------------------------------------------------ start / stop
WORK=$(mktemp -d /tmp/lstm-lab-scale.XXXXXX)
chmod 755 "$WORK"
APP_PIDS=()

stop_all() {
  if [ -f "$WORK/nginx.pid" ]; then
    kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
    for _ in $(seq 50); do [ -f "$WORK/nginx.pid" ] || break; sleep 0.1; done
  fi
  for pid in "${APP_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${APP_PIDS[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  APP_PIDS=()
}
cleanup() {
  stop_all
  if [ -n "${KEEP:-}" ]; then echo "work folder kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_health() {   # url
  for _ in $(seq 300); do
    if "$PY" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + '/_stcore/health', timeout=2)" "$1" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "no answer from $1" >&2
  return 1
}

start_apps() {    # K
  for ((k = 0; k < $1; k++)); do
    port=$((APP_PORT + k))
    MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} "$PY" -m streamlit run "$ROOT/app.py" --server.headless true --server.address 127.0.0.1 \
      --server.port "$port" >"$WORK/app-$port.log" 2>&1 &
    APP_PIDS+=($!)
  done
  for ((k = 0; k < $1; k++)); do wait_health "http://127.0.0.1:$((APP_PORT + k))"; done
}

start_nginx() {   # K
  servers=""
  for ((k = 0; k < $1; k++)); do
    servers+="        server 127.0.0.1:$((APP_PORT + k)) max_fails=0;"$'\n'
  done
  mkdir -p "$WORK/tmp"/{body,proxy,fastcgi,uwsgi,scgi}
  chmod -R a+rwx "$WORK/tmp"
  "$PY" - "$ROOT/loadtest/nginx.conf.template" "$WORK/nginx.conf" "$WORK" "127.0.0.1:$NGINX_PORT" \
      "$NGINX_WORKERS" "$servers" <<'EOF'
import sys
template, out, prefix, listen, workers, servers = sys.argv[1:]
text = open(template).read()
for k, v in {"@PREFIX@": prefix, "@LISTEN@": listen, "@WORKERS@": workers, "@SERVERS@": servers.rstrip("\n")}.items():
    text = text.replace(k, v)
open(out, "w").write(text)
EOF
  "$NGINX" -t -q -p "$WORK" -c "$WORK/nginx.conf"
  "$NGINX" -p "$WORK" -c "$WORK/nginx.conf"
  wait_health "http://127.0.0.1:$NGINX_PORT"
}

# ------------------------------------------------------------------ the runs
SUMMARY=()
for K in "${KS[@]}"; do
  echo
  echo "==================== K = $K app process(es) behind nginx on 127.0.0.1:$NGINX_PORT"
  start_apps "$K"
  start_nginx "$K"
  pids=$(IFS=,; echo "${APP_PIDS[*]}")
  set +e
  "$PY" "$ROOT/loadtest/run_load.py" --url "http://127.0.0.1:$NGINX_PORT" --server-pids "$pids" \
    --json "$WORK/result-K$K.json" "${LOAD_ARGS[@]}"
  code=$?
  set -e
  # One line per K; the CPU of each process shows how nginx spread the students.
  line=$("$PY" - "$WORK/result-K$K.json" "$K" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); K = sys.argv[2]
p, s = r["paced"], r.get("saturation")
sat = f"{s['reruns_per_second']:.1f} reruns/s (p95 {s['p95_s'] * 1000:.0f} ms)" if s else "not measured"
print(f"K={K}: saturation {sat}; paced {p['students']} students {p['reruns_per_second']:.1f} reruns/s, "
      f"median {p['median_s'] * 1000:.0f} ms, p95 {p['p95_s'] * 1000:.0f} ms, errors {p['error_count']}"
      f"{'+' + str(s['error_count']) if s else ''}; CPU of each app process "
      f"{', '.join(f'{c:.2f}' for c in (s or p)['cpu']['server_cores_per_process'])} cores, "
      f"machine {(s or p)['cpu']['machine_busy_fraction'] * 100:.0f}% busy")
EOF
) || line="K=$K: the load test failed (exit status $code)"
  SUMMARY+=("$line")
  stop_all
done

echo
echo "==================== scaling out, summary"
for line in "${SUMMARY[@]}"; do echo "$line"; done
