"""gunicorn settings for production and the benchmarks: `gunicorn -c server/gunicorn.conf.py 'server:create_app()'`."""

import gc
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

# prometheus-client's multiprocess mode (server/observability/metrics.py): the workers write their counts
# into files in one folder, and a scrape answered by any worker reads them all. The folder must be empty
# at each start (old workers' counts would add up): PROMETHEUS_MULTIPROC_DIR if set, emptied now, else a
# fresh one. Set here, in the master, before the workers are forked and import prometheus_client.
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    _metrics_dir = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(_metrics_dir, ignore_errors=True)
    _metrics_dir.mkdir(parents=True)
else:
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="lotsenbuch-metrics-")


def post_worker_init(worker: Any) -> None:
    # Everything built at start-up (the app, its models and SQL metadata, the catalogs) lives as long as
    # the worker: move it out of the garbage collector's sight. Otherwise every full collection walks
    # it again, a pause that lands on whichever request happened to allocate (0.2 ms on average per
    # sync request, up to tens of milliseconds on a big pull page).
    gc.freeze()


def child_exit(server: Any, worker: Any) -> None:
    # A worker that ended: its live gauges go; its counters and histograms stay in the totals.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
