#!/usr/bin/env bash
# Fuzzes every decoder of peer input (docs/FUZZING.md). Usage: fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 600 (10 minutes); targets default to all six, run one after another.
# Installs cargo-fuzz (and the nightly toolchain's rust-src is not needed) when missing, rewrites the seed
# corpus, keeps each target's corpus in fuzz/corpus/TARGET (not committed) and a log per target in
# fuzz/logs/TARGET.log. A crash leaves its input in fuzz/artifacts/TARGET/: copy it into
# fuzz/regressions/TARGET/ under a name saying what it found, fix the code, and tests/fuzz_inputs.rs replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi

seconds="${1:-600}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(status range_request range_response block head_proof)

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --locked

cargo test --release --test fuzz_inputs -- --ignored --exact write_seeds >/dev/null

mkdir -p fuzz/logs
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t"
  echo "== $t: ${seconds}s"
  # -rss_limit_mb: a decoder that allocates what a peer claims rather than what it sent shows up as an OOM.
  # -a: debug assertions and overflow checks on, so an arithmetic overflow is a finding too.
  cargo +nightly fuzz run --release -a "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=512 -max_len=70000 -print_final_stats=1 \
    2>&1 | tee "fuzz/logs/$t.log" | grep -E '^(#[0-9]+[[:space:]]+(DONE|INITED)|stat::|==|SUMMARY|Done)' || true
  if grep -q 'SUMMARY\|deadly signal\|ERROR: libFuzzer' "fuzz/logs/$t.log"; then
    echo "$t: FOUND A CRASH (see fuzz/logs/$t.log and fuzz/artifacts/$t/)" >&2
    exit 1
  fi
done
