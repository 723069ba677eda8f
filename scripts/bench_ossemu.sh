#!/usr/bin/env bash
# Benchmark: a 1 GiB PUT and GET with curl over loopback against ossemu in --data-dir mode,
# with the server's peak memory, next to two peers measured in the same run:
#   - `openssl speed md5`: one MD5 stream, the ceiling for any PUT (OSS's ETag is the MD5 of
#     the body, so a server must hash every byte, in order);
#   - `python3 -m http.server` serving the same file: a plain static file server for GET.
# Prints figures; it is not a test and asserts nothing. BENCH_MIB=1024 sets the size.
set -euo pipefail
cd "$(dirname "$0")/.."
mib=${BENCH_MIB:-1024}
work=$(mktemp -d "${BENCH_DIR:-/tmp}/ossemu-bench.XXXXXX")
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

cargo build --release --quiet -p ossemu
echo "== making a ${mib} MiB file"
head -c $((mib << 20)) /dev/urandom >"$work/blob"
sync  # the new file must not still be flushing to disk while the PUT is measured

target/release/ossemu --listen 127.0.0.1:0 --quiet --data-dir "$work/data" >"$work/out" 2>"$work/log" &
pids+=($!)
emu=$!
for _ in $(seq 100); do [[ -s "$work/out" ]] && break; sleep 0.05; done
ep=$(head -n1 "$work/out" | sed -n 's/^ossemu listening on //p')

# The owner makes a public-read-write bucket (signed V1 with Python's standard library), so
# curl can then PUT and GET anonymously.
python3 - "$ep" <<'PY'
import base64, hashlib, hmac, sys, urllib.request
from email.utils import formatdate
ep = sys.argv[1]
def call(method, path, resource, headers):
    date = formatdate(usegmt=True)
    oss = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()))
    sts = f"{method}\n\n\n{date}\n{oss}{resource}"
    sig = base64.b64encode(hmac.new(b"demo-owner-sk", sts.encode(), hashlib.sha1).digest()).decode()
    req = urllib.request.Request(ep + path, method=method,
                                 headers={"Date": date, "Authorization": f"OSS demo-owner-ak:{sig}", **headers})
    urllib.request.urlopen(req).read()
call("PUT", "/bench/", "/bench/", {"x-oss-acl": "public-read-write"})
PY

rss() { awk '/^VmRSS|^VmHWM/ {printf "%s %d MiB  ", $1, $2/1024}' "/proc/$1/status"; }
echo "ossemu before: $(rss $emu)"
mibps() { awk -v b="$1" -v t="$2" 'BEGIN { printf "%.0f MiB/s", b / 1048576 / t }'; }

put=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H 'Expect:' -T "$work/blob" "$ep/bench/blob")
echo "ossemu PUT ${mib} MiB:  HTTP ${put% *}, ${put#* } s, $(mibps $((mib << 20)) "${put#* }")   $(rss $emu)"
get=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$ep/bench/blob")
echo "ossemu GET ${mib} MiB:  HTTP ${get% *}, ${get#* } s, $(mibps $((mib << 20)) "${get#* }")   $(rss $emu)"
get2=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$ep/bench/blob")
echo "ossemu GET again:      HTTP ${get2% *}, ${get2#* } s, $(mibps $((mib << 20)) "${get2#* }")   $(rss $emu)"

echo
echo "== peers, same machine, same run"
md5=$(openssl speed -seconds 2 -bytes 1048576 md5 2>/dev/null | awk '/^md5/ {print $2}')
echo "openssl speed md5 (1 MiB blocks): ${md5} (thousands of bytes/s): the PUT ceiling of one MD5 stream"
(cd "$work" && python3 -m http.server 0 --bind 127.0.0.1 >"$work/py.out" 2>&1) &
pids+=($!)
for _ in $(seq 100); do grep -q "port" "$work/py.out" 2>/dev/null && break; sleep 0.05; done
port=$(sed -n 's/.*port \([0-9]*\).*/\1/p' "$work/py.out" | head -n1)
py=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "http://127.0.0.1:$port/blob")
echo "python3 -m http.server GET ${mib} MiB: HTTP ${py% *}, ${py#* } s, $(mibps $((mib << 20)) "${py#* }")"
