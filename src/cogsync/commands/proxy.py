"""Run a fault-injecting HTTP proxy in front of an endpoint until SIGINT or SIGTERM.

Any HTTP client can go through it: boto3 with ``endpoint_url``, the AWS CLI with
``--endpoint-url``, the JavaScript SDK's ``endpoint``. It listens on 127.0.0.1, forwards
each request byte for byte to ``--upstream`` (SigV4 signatures stay valid) and injects
the faults of ``--faults SPEC``, each request counted once, in arrival order. On ready it
prints exactly one line to stdout, ``cogsync proxy: listening on http://127.0.0.1:PORT ->
URL`` (``--listen 0`` picks a free port). Every fault is logged with the request it hit:
one line on stderr, or a JSON line in ``--log FILE``. A bad SPEC or upstream is a
one-line reason on stderr and exit 3; SIGINT or SIGTERM stops it with exit 0.
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from cogsync.commands.signals import stop_requested
from cogsync.errors import UsageError
from cogsync.options import port_number

EPILOG = """\
SPEC: 'none', 'default', or comma-separated items:
  KIND=RATE          probability per request, 0 to 1 (the rates add up to at most 1)
  KIND@N             exactly at the N-th request (counted from 1); may repeat
  seed=INT           seed of the random faults (default 0)
  delay-seconds=F    how long a delay holds a request (default 0.2)
  default            drop-request=0.03,drop-answer=0.03,duplicate=0.05,reset=0.03,delay=0.05

KIND, for one request:
  drop-request   not forwarded; the connection is held without an answer until the
                 client gives up (it times out, as on a lost packet)
  drop-answer    forwarded and applied; the answer is withheld the same way
  duplicate      two copies race to the upstream; the client gets the first's answer
  reset          forwarded; the client gets part of the answer, then a TCP reset
  delay          held delay-seconds before forwarding; the answer is normal

example:
  cogsync serve --storage sqlite:dev.sqlite3 --port 4000 &
  cogsync proxy --listen 4001 --upstream http://127.0.0.1:4000 --faults drop-answer@2,duplicate=0.1,seed=7
  aws cognito-sync list-records --endpoint-url http://127.0.0.1:4001 --cli-read-timeout 2 ...
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--listen", type=port_number, default=0, metavar="PORT",
                        help="port of 127.0.0.1 to listen on; 0 (the default) picks a free one")
    parser.add_argument("--upstream", required=True, metavar="URL",
                        help="the endpoint to forward to, http://HOST:PORT (e.g. what 'cogsync serve' printed)")
    parser.add_argument("--faults", default="none", metavar="SPEC",
                        help="which faults to inject and when (see below; default 'none': a plain proxy)")
    parser.add_argument("--log", type=Path, default=None, metavar="FILE",
                        help="write each fault as a JSON line to FILE instead of a line on stderr")


def _fault_writer(log: TextIO | None) -> Callable[[object], None]:
    from cogsync.faults.proxy import FaultEvent, fault_log_line

    lock = threading.Lock()

    def write(event: object) -> None:
        assert isinstance(event, FaultEvent)
        with lock:
            if log is None:
                sys.stderr.write(f"cogsync proxy: {event}\n")
                sys.stderr.flush()
            else:
                log.write(fault_log_line(event) + "\n")
                log.flush()

    return write


def run(args: argparse.Namespace) -> int:
    from cogsync.faults.proxy import FaultProxy, parse_upstream
    from cogsync.faults.spec import FaultSpec

    spec = FaultSpec.parse(args.faults)
    parse_upstream(args.upstream)
    with ExitStack() as stack:
        log: TextIO | None = None
        if args.log is not None:
            try:
                log = stack.enter_context(args.log.open("w", encoding="utf-8"))
            except OSError as exc:
                raise UsageError.bad_argument("--log", str(args.log), f"a file that can be written ({exc})") from None
        proxy = FaultProxy(args.upstream, spec, port=args.listen, on_fault=_fault_writer(log))
        with stop_requested() as stop, proxy:
            print(f"cogsync proxy: listening on {proxy.url} -> {proxy.upstream}", flush=True)
            stop.wait()
        sys.stderr.write(f"cogsync proxy: stopped after {proxy.requests} requests, "
                         f"{len(proxy.log)} faults injected\n")
    return 0
