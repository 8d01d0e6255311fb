#!/usr/bin/env bash
# Runs every cargo-fuzz target of fuzz/ (libFuzzer, nightly Rust) for a while, one after the
# other, and prints a summary.
#
#   ./scripts/fuzz.sh                  every target, 60 seconds each
#   ./scripts/fuzz.sh 120              every target, 120 seconds each
#   ./scripts/fuzz.sh 300 signed_payload jwks
#                                      these targets only
#
# Installs cargo-fuzz (`cargo install cargo-fuzz --locked`) when it is missing; needs the
# nightly toolchain (`rustup toolchain install nightly`). Builds every target once, then runs
# each with the scratch corpus fuzz/corpus/<target>/ (new inputs go there) and the committed
# seeds fuzz/seeds/<target>/ (read, never written). Crash inputs land in fuzz/artifacts/<target>/,
# each run's output in fuzz/artifacts/logs/<target>.log; all three folders are git-ignored.
# Exits non-zero when any target crashed (or timed out, or ran out of memory).
#
# Crash inputs worth keeping (minimized, one per defect found) are in fuzz/regressions/<target>/;
# each must pass once its defect is fixed. Replay them with
#   cargo +nightly fuzz run <target> fuzz/regressions/<target>/*
#
# The targets that parse JSON run with the dictionary fuzz/dicts/json.dict (JSON syntax, escapes,
# numbers, and the member names the code reads).
#
# Environment: FUZZ_RSS_LIMIT_MB (default 2048) and FUZZ_TIMEOUT (seconds for one input,
# default 10) are passed to libFuzzer as -rss_limit_mb and -timeout.
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
shift || true
RSS_LIMIT_MB="${FUZZ_RSS_LIMIT_MB:-2048}"
TIMEOUT="${FUZZ_TIMEOUT:-10}"

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
FUZZ_DIR="$ROOT/fuzz"
LOG_DIR="$FUZZ_DIR/artifacts/logs"
# libFuzzer dictionaries by target (in fuzz/dicts/).
declare -A DICTS=([signed_payload]=json.dict [parts]=json.dict [jwks]=json.dict)

say() { printf '[fuzz] %s\n' "$*" >&2; }
die() {
    printf '[fuzz] error: %s\n' "$*" >&2
    exit 2
}

[[ "$SECONDS_PER_TARGET" =~ ^[1-9][0-9]*$ ]] ||
    die "the time per target must be a whole number of seconds, not '$SECONDS_PER_TARGET'"

cd "$ROOT"

if ! cargo +nightly --version >/dev/null 2>&1; then
    die "the nightly Rust toolchain is needed (libFuzzer's instrumentation is nightly-only): rustup toolchain install nightly"
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    say "cargo-fuzz is missing: installing it"
    cargo install cargo-fuzz --locked
fi

FUZZ=(cargo +nightly fuzz)
if (($# > 0)); then
    TARGETS=("$@")
else
    mapfile -t TARGETS < <("${FUZZ[@]}" list --fuzz-dir "$FUZZ_DIR")
fi
((${#TARGETS[@]} > 0)) || die "no fuzz targets found in $FUZZ_DIR"

say "building ${TARGETS[*]}"
if (($# > 0)); then
    for target in "${TARGETS[@]}"; do
        "${FUZZ[@]}" build --fuzz-dir "$FUZZ_DIR" "$target"
    done
else
    "${FUZZ[@]}" build --fuzz-dir "$FUZZ_DIR"
fi

mkdir -p "$LOG_DIR"
declare -A EXECS CRASH
failed=0
for target in "${TARGETS[@]}"; do
    corpus="$FUZZ_DIR/corpus/$target"
    seeds="$FUZZ_DIR/seeds/$target"
    log="$LOG_DIR/$target.log"
    mkdir -p "$corpus"
    dirs=("$corpus")
    [[ -d "$seeds" ]] && dirs+=("$seeds")
    options=()
    [[ -n "${DICTS[$target]:-}" ]] && options+=(-dict="$FUZZ_DIR/dicts/${DICTS[$target]}")
    say "running $target for ${SECONDS_PER_TARGET}s (log: ${log#"$ROOT"/})"
    rc=0
    # libFuzzer writes new inputs to the first corpus folder only: the seeds stay as they are.
    "${FUZZ[@]}" run --fuzz-dir "$FUZZ_DIR" "$target" "${dirs[@]}" -- \
        -max_total_time="$SECONDS_PER_TARGET" \
        -print_final_stats=1 \
        -rss_limit_mb="$RSS_LIMIT_MB" \
        -timeout="$TIMEOUT" \
        "${options[@]}" \
        >"$log" 2>&1 || rc=$?

    execs="$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log" | tail -n 1)"
    if [[ -z "$execs" ]]; then
        # No final stats (a crash stops the run early): the last status line's count.
        execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)"
    fi
    EXECS[$target]="${execs:-?}"
    artifact="$(sed -n 's/.*Test unit written to //p' "$log" | tail -n 1)"
    if [[ -n "$artifact" ]]; then
        CRASH[$target]="$artifact"
        failed=1
        say "$target crashed: $artifact"
        say "reproduce with: cargo +nightly fuzz run $target $artifact"
    elif ((rc != 0)); then
        CRASH[$target]="failed (exit $rc, see ${log#"$ROOT"/})"
        failed=1
        say "$target failed with exit code $rc; the end of its log:"
        tail -n 20 "$log" >&2
    else
        CRASH[$target]=0
    fi
done

printf '\n%-16s %8s %12s  %s\n' target seconds executions crashes
for target in "${TARGETS[@]}"; do
    printf '%-16s %8s %12s  %s\n' "$target" "$SECONDS_PER_TARGET" "${EXECS[$target]}" "${CRASH[$target]}"
done
exit "$failed"
