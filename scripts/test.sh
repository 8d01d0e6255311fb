#!/usr/bin/env bash
# THE test command of the project: installs (if missing) and starts the Cognito emulators,
# runs every test against them, and stops them again, even on failure or Ctrl-C.
#
#   ./scripts/test.sh                 all tests, with both crypto backends
#   ./scripts/test.sh some_test_name  only the default-backend run, with these extra arguments
#                                     passed to its `cargo test` (e.g. a filter, `-- --nocapture`)
#
# Needs python3 (with venv and pip), node and npm, and Rust. See scripts/emulators.sh.
set -euo pipefail

# ---- the test runs: adjust here when crates or features are added ----------------------------
# The main run; the arguments given to this script are appended to it.
MAIN_TEST=(cargo test --workspace --features cognito-core/test-util,cognito-core/identity-pool,cognito-tower/identity-pool,cognito-axum/identity-pool,cognito-actix/identity-pool)
# Further runs, one whole command line each (split on spaces), made only when this script is given
# no arguments. The crypto backends exclude each other, so never use --all-features.
EXTRA_TESTS=(
    "cargo test -p cognito-core --no-default-features --features rust-crypto,test-util"
)
# ------------------------------------------------------------------------------------------------

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"
EMULATORS="$ROOT/scripts/emulators.sh"

step() { printf '==> %s\n' "$*"; }

echo_run() {
    step "$*"
    "$@"
}

stop_emulators() {
    local rc=$?
    trap - EXIT INT TERM
    step "stopping emulators"
    "$EMULATORS" stop || true
    exit "$rc"
}

# One run per checkout at a time: a second run would restart the emulators under the first.
# Separate clones have separate emulators and run side by side.
mkdir -p "$ROOT/.emulators"
exec 9>"$ROOT/.emulators/test.lock"
if ! flock -n 9; then
    step "another test run in this checkout is using its emulators: waiting for it to end"
    flock 9
fi

step "installing emulators"
"$EMULATORS" install 9>&-

# From here on the emulators are stopped however this script ends.
trap stop_emulators EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step "starting emulators"
# The emulators must not hold the lock: they would keep it if this script were killed hard.
"$EMULATORS" start 9>&-
# shellcheck source=/dev/null
source "$ROOT/.emulators/env"
step "emulators: moto at $COGNITO_TEST_MOTO_URL, cognito-local at $COGNITO_TEST_COGNITO_LOCAL_URL"

echo_run "${MAIN_TEST[@]}" "$@"

if (($# == 0)); then
    for line in "${EXTRA_TESTS[@]}"; do
        read -r -a cmd <<<"$line"
        echo_run "${cmd[@]}"
    done
else
    step "arguments given: skipping the other test runs (${#EXTRA_TESTS[@]})"
fi

step "all tests passed"
