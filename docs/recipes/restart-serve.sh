#!/bin/sh
# Kill `cogsync serve` with SIGKILL (no clean shutdown: what a crash or an OOM kill does) and start
# it again on the same port and storage. For `cogsync verify --restart-command`: it returns as soon
# as the new server is started, and cogsync polls until it answers.
#
#   PORT     the port both servers use            (default 4100)
#   STORAGE  the --storage of both                (default sqlite:/tmp/cogsync-sync.db)
#   PIDFILE  where the running server's pid is    (default /tmp/cogsync-serve.pid; log: .log next to it)
#   COGSYNC  how to run cogsync                   (default cogsync)
#   WAIT     1: return only once the new server listens (to start the first one before a run)
#
# Run it once (WAIT=1) to start the first server, then give it to cogsync verify as the restart
# command.
PORT=${PORT:-4100}
STORAGE=${STORAGE:-sqlite:/tmp/cogsync-sync.db}
PIDFILE=${PIDFILE:-/tmp/cogsync-serve.pid}
COGSYNC=${COGSYNC:-cogsync}
LOG="${PIDFILE%.pid}.log"
listening() { n=$(grep -c "listening on" "$LOG" 2>/dev/null); echo "${n:-0}"; }
before=$(listening)
if [ -f "$PIDFILE" ]; then
    kill -9 "$(cat "$PIDFILE")" 2>/dev/null
fi
$COGSYNC serve --host 127.0.0.1 --port "$PORT" --storage "$STORAGE" >>"$LOG" 2>&1 &
echo $! > "$PIDFILE"
if [ "${WAIT:-0}" = 1 ]; then
    while [ "$(listening)" -le "$before" ]; do  # poll the server's ready line
        kill -0 "$(cat "$PIDFILE")" 2>/dev/null || { echo "cogsync serve did not start: see $LOG" >&2; exit 1; }
        sleep 0.1
    done
fi
