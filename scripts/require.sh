# Shared checks for the task scripts: find or install what deno-zmq needs, or
# say exactly what is missing and how to get it.

# apt-get's own output goes to this log; its tail is shown only on failure.
DENO_ZMQ_SETUP_LOG="${DENO_ZMQ_SETUP_LOG:-${TMPDIR:-/tmp}/deno-zmq-setup.log}"

apt_install() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    printf 'installing %s ... ' "$*" >&2
    if { [ -n "${DENO_ZMQ_APT_UPDATED:-}" ] || apt-get update -qq; } \
      >>"$DENO_ZMQ_SETUP_LOG" 2>&1 &&
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" \
        >>"$DENO_ZMQ_SETUP_LOG" 2>&1; then
      export DENO_ZMQ_APT_UPDATED=1
      echo "done" >&2
      return 0
    fi
    echo "failed; the end of $DENO_ZMQ_SETUP_LOG:" >&2
    tail -n 20 "$DENO_ZMQ_SETUP_LOG" >&2
    exit 1
  fi
  return 1
}

require_libzmq() {
  if ldconfig -p 2>/dev/null | grep -q 'libzmq\.so\.5'; then return 0; fi
  apt_install libzmq5 && return 0
  cat >&2 <<'MSG'
libzmq is not installed. Install it:
  Debian/Ubuntu: sudo apt-get install libzmq5
  macOS:         brew install zeromq
  Fedora:        sudo dnf install zeromq
MSG
  exit 1
}

require_pyzmq() {
  if /usr/bin/python3 -c 'import zmq' 2>/dev/null; then return 0; fi
  apt_install python3-zmq && return 0
  echo "pyzmq (the interop peer) is missing: sudo apt-get install python3-zmq" >&2
  exit 1
}
