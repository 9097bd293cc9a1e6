#!/usr/bin/env bash
# folio serve against nginx serving the same dist/, with wrk (keep-alive): a manifest GET
# and a conditional GET answered 304, both without access logs. Prints folio/nginx
# throughput; goal >= 0.4x.
source "$(dirname "$0")/deploy-fixture.sh"
duration="${DURATION:-5s}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
# One event loop thread against one nginx worker process.
"$bin/folio" serve "$work/dist" --port 0 --threads 1 --no-access-log > "$work/serve.log" 2>/dev/null &
server=$!
chmod -R a+rX "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$work/nginx"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/error.log;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $work/nginx/body;
    server { listen 127.0.0.1:$port; root $work/dist; etag on; gzip_static on; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!
cleanup="kill $server 2>/dev/null; kill -QUIT $nginx_pid 2>/dev/null"
until grep -q "http://127.0.0.1:" "$work/serve.log"; do sleep 0.05; done
folio_port=$(sed -n 's/.*http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log" | head -1)
until curl -s -o /dev/null "http://127.0.0.1:$port/production/manifest.json"; do sleep 0.05; done
rps() { wrk -t1 -c16 -d"$duration" "$@" | awk '/Requests\/sec/ {print $2}'; }
best() { python3 -c "import sys; print(max(float(v) for v in sys.argv[1:]))" "$@"; }
path=/production/manifest.json
rounds="${ROUNDS:-3}"
# The two servers take turns, round after round, and each keeps its best: a machine whose
# speed drifts during the run (shared CI hosts do) then favours neither.
folio_gets=(); folio_304s=(); nginx_gets=(); nginx_304s=()
for round in $(seq "$rounds"); do
  for name in folio nginx; do
    p=$([ $name = folio ] && echo $folio_port || echo $port)
    etag=$(curl -sI "http://127.0.0.1:$p$path" | awk -F': ' 'tolower($1)=="etag" {print $2}' | tr -d '\r')
    eval "${name}_gets+=($(rps "http://127.0.0.1:$p$path"))"
    eval "${name}_304s+=($(rps -H "If-None-Match: $etag" "http://127.0.0.1:$p$path"))"
  done
done
for name in folio nginx; do
  eval "get=\$(best \${${name}_gets[@]}); not_modified=\$(best \${${name}_304s[@]})"
  eval "${name}_get=$get; ${name}_304=$not_modified"
  echo "$name: GET $get req/s, 304 $not_modified req/s (best of $rounds rounds of $duration)"
done
python3 -c "print('folio/nginx: GET %.2fx, 304 %.2fx (goal >= 0.4x)' % ($folio_get / $nginx_get, $folio_304 / $nginx_304))"
