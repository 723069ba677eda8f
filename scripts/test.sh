#!/usr/bin/env bash
# The whole test suite, on a fresh machine: Rust unit and integration tests (library and
# ossemu, signature and CRC-64 vectors), the C API from C (plain, AddressSanitizer+UBSan,
# valgrind), the header as C and C++, the C examples, and interoperability with the official
# Python SDKs (oss2 and alibabacloud-oss-v2, installed in a venv) against ossemu.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=target/ctest
mkdir -p "$out"
declare -a results=()
fail=0
step() { echo; echo "== $*"; }
record() { results+=("$1"); }

step "Rust: unit and integration tests (cargo test --workspace)"
cargo test --workspace --quiet 2>&1 | tee "$out/cargo-test.log"
grep -q "test result: ok" "$out/cargo-test.log"
record "cargo test: $(grep -o '[0-9]* passed' "$out/cargo-test.log" | awk '{s+=$1} END {print s}') passed"

step "Building libossc and ossemu (release)"
cargo build --release --quiet --workspace
lib=target/release
export LD_LIBRARY_PATH="$root/$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

step "Header: compiles as C11 and C++17, twice included, with warnings as errors"
printf '#include <ossc.h>\n#include <ossc.h>\nint main(void){return oss_version()[0]==0;}\n' >"$out/twice.c"
cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude "$out/twice.c" -L$lib -lossc -o "$out/twice_c"
"$out/twice_c"
c++ -std=c++17 -Wall -Wextra -Werror -pedantic -x c++ -Iinclude "$out/twice.c" -L$lib -lossc -o "$out/twice_cpp"
"$out/twice_cpp"
record "header: C11 and C++17 ok"

CFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -pedantic -g -Iinclude)
build() { # name source extra-flags...
  local name=$1 src=$2; shift 2
  cc "${CFLAGS[@]}" "$@" "$src" -L$lib -lossc -lpthread -o "$out/$name"
}
step "C: building tests and examples (-Wall -Wextra -Werror -pedantic), plain and with ASan+UBSan"
for t in test_api test_threads; do
  build "$t" "tests/c/$t.c"
  build "$t.asan" "tests/c/$t.c" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
done
# The static library, with the native libraries README.md documents for static links.
cc "${CFLAGS[@]}" tests/c/test_api.c $lib/libossc.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -o "$out/test_api.static"
for e in requester_pays stream_file; do
  build "$e" "examples/$e.c"
  build "$e.asan" "examples/$e.c" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
done

step "Starting ossemu"
target/release/ossemu --listen 127.0.0.1:0 --quiet >"$out/ossemu.out" 2>"$out/ossemu.log" &
emu=$!
trap 'kill $emu 2>/dev/null || true; wait $emu 2>/dev/null || true' EXIT
for _ in $(seq 100); do [[ -s "$out/ossemu.out" ]] && break; sleep 0.05; done
endpoint=$(head -n1 "$out/ossemu.out" | sed -n 's/^ossemu listening on //p')
[[ -n "$endpoint" ]] || { cat "$out/ossemu.log"; exit 1; }
echo "ossemu at $endpoint"
export OSSC_TEST_ENDPOINT=$endpoint

demo_env() {
  export OSS_ENDPOINT=$endpoint OSS_REGION=cn-hangzhou OSS_BUCKET=requester-pays-demo
  export OSS_OWNER_ACCESS_KEY_ID=demo-owner-ak OSS_OWNER_ACCESS_KEY_SECRET=demo-owner-sk
  export OSS_ACCESS_KEY_ID=demo-requester-ak OSS_ACCESS_KEY_SECRET=demo-requester-sk
  export OSS_REQUESTER_UID=1000000000000002
  unset OSS_SESSION_TOKEN
}
head -c 3000000 /dev/urandom >"$out/stream-input.bin"
run_c() { # label runner... ; runs every C program once under the runner
  local label=$1; shift
  local suffix=""
  [[ $label == asan ]] && suffix=.asan
  for t in test_api test_threads; do
    if [[ $label == valgrind && $t == test_threads ]]; then continue; fi
    if "$@" "$out/$t$suffix" >"$out/$t.$label.log" 2>&1; then
      record "$t ($label): $(grep -o '[0-9]* passed, [0-9]* failed' "$out/$t.$label.log")"
    else
      cat "$out/$t.$label.log"; record "$t ($label): FAILED"; fail=1
    fi
  done
  demo_env
  for sv in 4 1; do
    if OSS_SIGNATURE_VERSION=$sv "$@" "$out/requester_pays$suffix" >"$out/requester_pays.$label.v$sv.log" 2>&1; then
      record "example requester_pays V$sv ($label): ok"
    else
      cat "$out/requester_pays.$label.v$sv.log"; record "example requester_pays V$sv ($label): FAILED"; fail=1
    fi
  done
  # stream_file runs as the requester under the prefix the demo's policy grants.
  if "$@" "$out/stream_file$suffix" "$out/stream-input.bin" "requester-pays-demo/stream-$label.bin" \
      >"$out/stream_file.$label.log" 2>&1; then
    record "example stream_file ($label): ok"
  else
    cat "$out/stream_file.$label.log"; record "example stream_file ($label): FAILED"; fail=1
  fi
}

step "C: plain"
run_c plain
if "$out/test_api.static" >"$out/test_api.static.log" 2>&1; then
  record "test_api (static libossc.a): $(grep -o '[0-9]* passed, [0-9]* failed' "$out/test_api.static.log")"
else
  cat "$out/test_api.static.log"; record "test_api (static libossc.a): FAILED"; fail=1
fi
step "C: AddressSanitizer + UBSan (leak detection on)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 run_c asan
step "C: valgrind --leak-check=full --error-exitcode=1"
run_c valgrind valgrind -q --leak-check=full --errors-for-leak-kinds=definite,indirect,possible \
  --error-exitcode=1 --suppressions=tests/c/valgrind.supp
# The threaded test under valgrind too (serialised by valgrind, so fewer rounds are not needed).
if valgrind -q --leak-check=full --error-exitcode=1 --suppressions=tests/c/valgrind.supp \
    "$out/test_threads" >"$out/test_threads.valgrind.log" 2>&1; then
  record "test_threads (valgrind): $(grep -o '[0-9]* passed, [0-9]* failed' "$out/test_threads.valgrind.log")"
else
  cat "$out/test_threads.valgrind.log"; record "test_threads (valgrind): FAILED"; fail=1
fi

step "Interoperability: official Python SDKs against ossemu"
venv=tests/interop/.venv
if [[ ! -x $venv/bin/python ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/interop/requirements.txt
if OSSC_TEST_ENDPOINT=$endpoint "$venv/bin/python" -m pytest -q tests/interop 2>&1 | tee "$out/interop.log"; then
  record "interop (pytest): $(tail -n1 "$out/interop.log" | grep -o '[0-9]* passed' || true)"
else
  record "interop (pytest): FAILED"; fail=1
fi

# The same SDK sessions against a disk-backed ossemu (--data-dir).
target/release/ossemu --listen 127.0.0.1:0 --quiet --data-dir "$out/interop-data" >"$out/ossemu-dd.out" 2>&1 &
emu_dd=$!
for _ in $(seq 100); do [[ -s "$out/ossemu-dd.out" ]] && break; sleep 0.05; done
endpoint_dd=$(head -n1 "$out/ossemu-dd.out" | sed -n 's/^ossemu listening on //p')
if OSSC_TEST_ENDPOINT=$endpoint_dd "$venv/bin/python" -m pytest -q tests/interop 2>&1 | tee "$out/interop-dd.log"; then
  record "interop with --data-dir (pytest): $(tail -n1 "$out/interop-dd.log" | grep -o '[0-9]* passed' || true)"
else
  record "interop with --data-dir (pytest): FAILED"; fail=1
fi
kill $emu_dd 2>/dev/null || true
wait $emu_dd 2>/dev/null || true
rm -rf "$out/interop-data"

echo
echo "== summary"
printf '  %s\n' "${results[@]}"
total_failed=$(printf '%s\n' "${results[@]}" | grep -c FAILED || true)
total_passed=$(( ${#results[@]} - total_failed ))
echo "suites: $total_passed passed, $total_failed failed"
exit $fail
