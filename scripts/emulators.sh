#!/usr/bin/env bash
# Installs, starts and stops the two Amazon Cognito emulators the integration tests run against:
#
#   moto server   (PyPI `moto`, user pools and identity pools), in a Python venv
#   cognito-local (npm `cognito-local`, user pools only), in a local node_modules
#
# Everything lives in the git-ignored folder `.emulators/` at the repository root:
#
#   .emulators/moto-venv/                   the venv holding moto_server
#   .emulators/cognito-local/               the npm folder holding cognito-local
#   .emulators/cognito-local-run-<port>/    cognito-local's working folder (config and data)
#   .emulators/logs/                        the emulators' output
#   .emulators/env                          `export COGNITO_TEST_*_URL=...` lines to source
#   .emulators/pids                         what `start` started, for `stop`
#
# Usage: scripts/emulators.sh install|start|stop|status
#
# Needs: python3 (with venv and pip), node and npm. Talks to no network but the package
# registries (during `install`) and 127.0.0.1.
set -euo pipefail

# ---- versions (changing one makes `install` reinstall that emulator) ----
MOTO_SPEC="moto[cognitoidp]==5.2.5"
MOTO_EXTRA_PACKAGES=(flask flask-cors)
COGNITO_LOCAL_SPEC="cognito-local@5.3.0"
# Seconds to wait for an emulator to answer after it was started.
READY_TIMEOUT="${EMULATORS_READY_TIMEOUT:-30}"

ROOT="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)"
EMU_DIR="$ROOT/.emulators"
MOTO_VENV="$EMU_DIR/moto-venv"
MOTO_BIN="$MOTO_VENV/bin/moto_server"
MOTO_MARKER="$MOTO_VENV/.installed-spec"
CL_DIR="$EMU_DIR/cognito-local"
CL_START_JS="$CL_DIR/node_modules/cognito-local/lib/bin/start.js"
CL_MARKER="$CL_DIR/.installed-spec"
LOG_DIR="$EMU_DIR/logs"
ENV_FILE="$EMU_DIR/env"
# The Python for the helpers below: the venv's once installed (no version-manager shim to go through).
PY=python3
[[ -x "$MOTO_VENV/bin/python" ]] && PY="$MOTO_VENV/bin/python"
PIDS_FILE="$EMU_DIR/pids"

say() { printf '[emulators] %s\n' "$*" >&2; }
die() {
    printf '[emulators] error: %s\n' "$*" >&2
    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "'$1' is not installed; $2"
}

moto_spec_line() { printf '%s %s' "$MOTO_SPEC" "${MOTO_EXTRA_PACKAGES[*]}"; }

# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------

# Creates the moto venv, falling back to Debian's python3-venv package when ensurepip is missing.
make_venv() {
    local out
    if out="$(python3 -m venv "$MOTO_VENV" 2>&1)"; then
        return 0
    fi
    rm -rf "$MOTO_VENV"
    printf '%s\n' "$out" >&2
    if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
        local pyver
        pyver="$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
        say "python3 -m venv failed; installing Debian's python3-venv (python${pyver}-venv)"
        apt-get update -qq || true
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv \
            || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "python${pyver}-venv" \
            || die "could not install python3-venv with apt-get"
        python3 -m venv "$MOTO_VENV" || die "python3 -m venv still fails after installing python3-venv"
    else
        die "python3 -m venv failed (on Debian/Ubuntu: apt-get install python3-venv)"
    fi
}

install_moto() {
    if [[ -x "$MOTO_BIN" && -f "$MOTO_MARKER" && "$(cat "$MOTO_MARKER")" == "$(moto_spec_line)" ]]; then
        say "moto already installed ($(moto_spec_line))"
        return 0
    fi
    need python3 "install Python 3 (with venv and pip)"
    say "installing moto into .emulators/moto-venv ($(moto_spec_line))"
    rm -rf "$MOTO_VENV"
    make_venv
    if ! "$MOTO_VENV/bin/python" -m pip install --disable-pip-version-check --no-input --quiet \
        "$MOTO_SPEC" "${MOTO_EXTRA_PACKAGES[@]}"; then
        rm -rf "$MOTO_VENV"
        die "pip install $(moto_spec_line) failed (see the output above)"
    fi
    [[ -x "$MOTO_BIN" ]] || die "pip install finished but $MOTO_BIN is missing"
    moto_spec_line >"$MOTO_MARKER"
}

install_cognito_local() {
    if [[ -f "$CL_START_JS" && -f "$CL_MARKER" && "$(cat "$CL_MARKER")" == "$COGNITO_LOCAL_SPEC" ]]; then
        say "cognito-local already installed ($COGNITO_LOCAL_SPEC)"
        return 0
    fi
    need node "install Node.js (20 or later)"
    need npm "install npm"
    say "installing cognito-local into .emulators/cognito-local ($COGNITO_LOCAL_SPEC)"
    rm -rf "$CL_DIR"
    mkdir -p "$CL_DIR"
    # A package.json of its own, so npm installs here and not into a parent project.
    printf '{"name":"cognito-emulators","private":true}\n' >"$CL_DIR/package.json"
    if ! (cd "$CL_DIR" && npm install --no-audit --no-fund --loglevel=error "$COGNITO_LOCAL_SPEC"); then
        rm -rf "$CL_DIR"
        die "npm install $COGNITO_LOCAL_SPEC failed (see the output above)"
    fi
    [[ -f "$CL_START_JS" ]] || die "npm install finished but $CL_START_JS is missing"
    printf '%s' "$COGNITO_LOCAL_SPEC" >"$CL_MARKER"
}

cmd_install() {
    mkdir -p "$EMU_DIR"
    # Two installs at once (two terminals) would trample each other's folders.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$EMU_DIR/.install.lock"
        flock 9
    fi
    install_moto
    install_cognito_local
}

# ---------------------------------------------------------------------------------------------
# start / stop
# ---------------------------------------------------------------------------------------------

# Prints two distinct free TCP ports on 127.0.0.1.
free_ports() {
    "$PY" - <<'EOF'
import socket
socks = []
for _ in range(2):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
EOF
}

# Exit status 0 when an HTTP GET of $1 gets any HTTP answer (whatever the status code).
http_answers() {
    "$PY" - "$1" <<'EOF' >/dev/null 2>&1
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=2).read()
except urllib.error.HTTPError:
    pass
EOF
}

# True when pid $1 runs; a zombie (dead, not yet reaped by its new parent) counts as dead.
alive() {
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 1
    local stat state _rest
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
    stat="${stat##*) }"
    read -r state _rest <<<"$stat"
    [[ "$state" != Z ]]
}

# Waits until $3 answers; on timeout or early death prints the log tail and fails.
wait_ready() {
    local name="$1" pid="$2" url="$3" log="$4"
    local deadline=$((SECONDS + READY_TIMEOUT))
    while ! http_answers "$url"; do
        if ! alive "$pid"; then
            say "$name exited before it was ready; last lines of ${log#"$ROOT"/}:"
            tail -n 30 "$log" >&2 || true
            return 1
        fi
        if ((SECONDS >= deadline)); then
            say "$name did not answer $url within ${READY_TIMEOUT}s; last lines of ${log#"$ROOT"/}:"
            tail -n 30 "$log" >&2 || true
            return 1
        fi
        sleep 0.2
    done
}

# Starts "$@" in the background in a session (and process group) of its own, so that `stop`
# can end it with its children, and prints its pid.
spawn() {
    local log="$1"
    shift
    if command -v setsid >/dev/null 2>&1; then
        # This script runs without job control, so its background children are no process
        # group leaders and setsid execs in place: $! is the emulator's own pid.
        setsid "$@" >"$log" 2>&1 </dev/null &
    else
        "$@" >"$log" 2>&1 </dev/null &
    fi
    echo $!
}

cmd_start() {
    [[ -x "$MOTO_BIN" ]] || die "moto is not installed: run scripts/emulators.sh install"
    [[ -f "$CL_START_JS" ]] || die "cognito-local is not installed: run scripts/emulators.sh install"
    need node "install Node.js (20 or later)"

    if [[ -s "$PIDS_FILE" ]]; then
        say "stopping emulators left by an earlier start"
        cmd_stop
    fi

    # Logs of the previous run stay until the next start, for a look after a failure.
    rm -rf "$LOG_DIR"
    mkdir -p "$LOG_DIR"
    local moto_port cl_port
    read -r moto_port cl_port < <(free_ports)
    [[ -n "$moto_port" && -n "$cl_port" ]] || die "could not find two free ports on 127.0.0.1"

    local moto_log="$LOG_DIR/moto-$moto_port.log"
    local cl_log="$LOG_DIR/cognito-local-$cl_port.log"
    local cl_run="$EMU_DIR/cognito-local-run-$cl_port"

    rm -rf "$cl_run"
    mkdir -p "$cl_run/.cognito"
    printf '{"UserPoolDefaults":{"UsernameAttributes":[]},"TokenConfig":{"IssuerDomain":"http://127.0.0.1:%s"}}\n' \
        "$cl_port" >"$cl_run/.cognito/config.json"

    local moto_pid cl_pid
    moto_pid="$(spawn "$moto_log" "$MOTO_BIN" -H 127.0.0.1 -p "$moto_port")"
    # Recorded at once, so that `stop` (and the failure path below) can end it.
    printf 'moto %s %s\n' "$moto_pid" "$moto_port" >"$PIDS_FILE"
    cl_pid="$(cd "$cl_run" && HOST=127.0.0.1 PORT="$cl_port" spawn "$cl_log" node "$CL_START_JS")"
    printf 'cognito-local %s %s %s\n' "$cl_pid" "$cl_port" "$cl_run" >>"$PIDS_FILE"

    if ! wait_ready moto "$moto_pid" "http://127.0.0.1:$moto_port/moto-api/" "$moto_log" \
        || ! wait_ready cognito-local "$cl_pid" "http://127.0.0.1:$cl_port/health" "$cl_log"; then
        cmd_stop
        die "the emulators did not start"
    fi

    {
        printf 'export COGNITO_TEST_MOTO_URL=http://127.0.0.1:%s\n' "$moto_port"
        printf 'export COGNITO_TEST_COGNITO_LOCAL_URL=http://127.0.0.1:%s\n' "$cl_port"
    } >"$ENV_FILE.tmp"
    mv "$ENV_FILE.tmp" "$ENV_FILE"
    say "moto          pid $moto_pid on http://127.0.0.1:$moto_port (log: ${moto_log#"$ROOT"/})"
    say "cognito-local pid $cl_pid on http://127.0.0.1:$cl_port (log: ${cl_log#"$ROOT"/})"
    say "env file: ${ENV_FILE#"$ROOT"/} (source it to point the tests at them)"
}

# True when pid $1 still runs the program named $2 (guards against a reused pid).
runs() {
    local pid="$1" what="$2"
    alive "$pid" || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$what"
}

# Prints the pids of the children of pid $1.
children_of() {
    local f stat ppid _state _rest
    for f in /proc/[0-9]*/stat; do
        read -r stat 2>/dev/null <"$f" || continue
        stat="${stat##*) }"
        read -r _state ppid _rest <<<"$stat"
        if [[ "$ppid" == "$1" ]]; then
            f="${f#/proc/}"
            echo "${f%/stat}"
        fi
    done
}

# Prints the process group id of pid $1 (from /proc: procps may be missing on a bare machine).
pgid_of() {
    local stat _state _ppid pgrp _rest
    read -r stat 2>/dev/null <"/proc/$1/stat" || return 0
    stat="${stat##*) }" # after the command name, which may hold spaces
    read -r _state _ppid pgrp _rest <<<"$stat"
    echo "$pgrp"
}

# Sends signal $2 to pid $1, its process group when it leads one, and its children.
signal_tree() {
    local pid="$1" sig="$2" child
    for child in $(children_of "$pid"); do
        signal_tree "$child" "$sig"
    done
    if [[ "$(pgid_of "$pid")" == "$pid" ]]; then
        kill "-$sig" -- "-$pid" 2>/dev/null || true
    fi
    kill "-$sig" "$pid" 2>/dev/null || true
}

stop_one() {
    local name="$1" pid="$2" what="$3"
    if ! runs "$pid" "$what"; then
        say "$name (pid $pid) is not running"
        return 0
    fi
    signal_tree "$pid" TERM
    local i
    for ((i = 0; i < 50; i++)); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        say "$name (pid $pid) ignored SIGTERM; sending SIGKILL"
        signal_tree "$pid" KILL
    fi
    say "stopped $name (pid $pid)"
}

cmd_stop() {
    if [[ ! -f "$PIDS_FILE" ]]; then
        say "nothing to stop (no ${PIDS_FILE#"$ROOT"/})"
        rm -f "$ENV_FILE"
        return 0
    fi
    local name pid port run
    while read -r name pid port run; do
        case "$name" in
            moto) stop_one moto "$pid" moto_server ;;
            cognito-local)
                stop_one cognito-local "$pid" start.js
                # Its working folder holds the pools and users it created: throw them away.
                if [[ -n "${run:-}" && "$run" == "$EMU_DIR"/cognito-local-run-* ]]; then
                    rm -rf "$run"
                fi
                ;;
            "") ;;
            *) say "ignoring unknown line in ${PIDS_FILE#"$ROOT"/}: $name $pid" ;;
        esac
    done <"$PIDS_FILE"
    rm -f "$PIDS_FILE" "$ENV_FILE"
}

cmd_status() {
    if [[ ! -f "$PIDS_FILE" ]]; then
        echo "not started"
        return 0
    fi
    local name pid port run
    while read -r name pid port run; do
        [[ -n "$name" ]] || continue
        if alive "$pid"; then
            echo "$name: running, pid $pid, http://127.0.0.1:$port"
        else
            echo "$name: dead (pid $pid)"
        fi
    done <"$PIDS_FILE"
    [[ -f "$ENV_FILE" ]] && cat "$ENV_FILE"
    return 0
}

usage() {
    cat >&2 <<EOF
usage: $0 install|start|stop|status
  install  install moto ($MOTO_SPEC) and cognito-local ($COGNITO_LOCAL_SPEC) into .emulators/ if missing
  start    start both on free ports of 127.0.0.1; writes .emulators/env and .emulators/pids
  stop     stop what start started
  status   show what runs
EOF
}

case "${1:-}" in
    install) cmd_install ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    -h | --help | help) usage ;;
    *)
        usage
        exit 2
        ;;
esac
