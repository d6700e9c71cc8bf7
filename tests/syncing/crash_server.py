"""A server that can be killed and restarted fast, for `test_crash.py`.

Run as `python -m tests.syncing.crash_server PORT` with DATABASE_URL etc. in the environment. It builds the
app once (imports and app creation take about a second, too slow to repeat 50 times) without touching the
database, then for every line `start` on stdin forks a fresh process that serves the app on PORT with
Werkzeug's threaded server on the parent's listening socket and prints that process's pid. The test kills the serving process with SIGKILL
— a real process death: open transactions are cut off mid-flight and the database rolls them back.
`quit` ends the parent.
"""

from __future__ import annotations

import os
import signal
import socket
import sys


def main() -> None:
    port = int(sys.argv[1])
    from werkzeug.serving import make_server

    from server import create_app

    app = create_app()
    # One listening socket for the whole run, inherited by each serving process: a request sent while
    # no server runs waits in the backlog for the next one, as with a socket-activated service.
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # killed children are reaped by the kernel
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        if command != "start":
            continue
        pid = os.fork()
        if pid == 0:  # the serving process
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                server = make_server("127.0.0.1", port, app, threaded=True, fd=listener.fileno())
                server.serve_forever()
            finally:
                os._exit(1)
        print(pid, flush=True)


if __name__ == "__main__":
    main()
