# Sourced by scripts/run.sh and scripts/run-spirit.sh.
#
# supervise LOG PIDFILE COMMAND...: run COMMAND in the background (output appended to LOG, its pid in PIDFILE)
# and start it again whenever it exits, until the supervisor itself is told to stop (TERM/INT: the command
# gets TERM, which is Celery's warm shutdown, and is waited for). A worker that crashed or was killed by the
# OOM killer comes back by itself, instead of leaving every later post unevaluated while the web server runs
# on. A command that keeps dying at once is started again less and less often (2 s, 4 s ... at most 60 s).
# Each run has a process group of its own, killed when the run ends: a worker killed with SIGKILL leaves its
# embedded beat (-B) behind, which would otherwise go on sending periodic tasks beside the next one's.
# Sets SUPERVISOR to the supervisor's pid.
supervise() {
  local log=$1 pidfile=$2
  shift 2
  (
    set +e -m  # -m: each background command gets its own process group
    child=
    reap() { kill -KILL -- "-$child" 2>/dev/null; }
    trap 'if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; reap; fi; rm -f "$pidfile"; exit 0' TERM INT
    delay=2
    while true; do
      started=$SECONDS
      "$@" >>"$log" 2>&1 &
      child=$!
      echo "$child" >"$pidfile"
      { wait "$child"; } 2>/dev/null  # the status goes in the line below, not as bash's "Killed" job notice
      rc=$?
      reap
      if [ $((SECONDS - started)) -ge 30 ]; then delay=2; fi
      echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) supervise: '$1' (pid $child) exited with status $rc; starting it again in ${delay} s" >>"$log"
      sleep "$delay" &
      wait $!
      delay=$((delay * 2 > 60 ? 60 : delay * 2))
    done
  ) 2>>"$log" &
  SUPERVISOR=$!
}
