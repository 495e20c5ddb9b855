"""Trial throughput of 1, 2 and 4 worker processes sharing one PostgreSQL study.

Starts a throwaway PostgreSQL server (Debian's packages, as the distributed tests
do), then for each worker count creates a fresh study on it and runs that many
worker processes at once ("spawn" processes). Each worker goes through
tuneplate's own storage path: `tuneplate.engine.search.study.make_storage` (connection
retries, heartbeats), `optuna.load_study`, and `tuneplate.engine.search.study.run` with
the study-wide budget, so the workers together complete exactly `--trials`
trials. The objective is cheap and known: a sum of squares of 3 suggested floats
plus a fixed amount of pure-Python CPU work, calibrated in the parent to take
`--work-ms` on an idle core (a fixed amount of work, not a fixed wait, so it
slows down when processes compete for cores).

Per worker count it reports wall-clock seconds (first worker's start to the last
worker's end, after every worker has imported, connected and loaded the study),
completed trials, trials per minute, the mean objective time per trial (timed
inside the objective), and the engine's share of worker time:
1 - total objective seconds / (wall seconds x workers), i.e. the share spent in
Optuna, tuneplate and the database (and waiting) rather than in the objective.
"budget kept" is yes when the study holds exactly `--trials` completed trials,
the objective ran exactly that many times, and no trial number repeats.

    python benchmarks/worker_throughput.py [--workers 1 2 4] [--trials 200] [--work-ms 20]

Needs Debian's PostgreSQL server packages (`apt-get install postgresql`) and
psycopg (`pip install "psycopg[binary]"`); without them it exits with a one-line
message and exit code 2.
"""

from __future__ import annotations

import argparse
import glob
import multiprocessing as mp
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

from tuneplate.engine.search.study import POLL_S

BARRIER_S = 300  # how long workers wait for each other to be ready
RESULT_S = 1800  # how long the parent waits for a worker's result


# ---------------------------------------------------------------- the server


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb refuses to run as root; Debian's package creates the `postgres` user.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def missing_requirements() -> str | None:
    """A one-line reason this benchmark cannot run here, or None."""
    if _pg_bin() is None:
        return "PostgreSQL server packages are not installed (apt-get install postgresql)"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root needs `runuser` to start PostgreSQL as the postgres user"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return 'psycopg is not installed (pip install "psycopg[binary]")'
    return None


class Postgres:
    """A throwaway server in a temporary folder; `stop()` removes both."""

    def __init__(self) -> None:
        self.binaries = _pg_bin()
        # Not a private temp folder of root's: the server runs as postgres.
        self.root = Path(tempfile.mkdtemp(prefix="tuneplate-pg-bench-"))
        self.data = self.root / "data"
        self.started = False

    def start(self) -> str:
        sockets = self.root / "sockets"
        sockets.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
            shutil.chown(sockets, "postgres")
        initdb = [str(self.binaries / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "tune"]
        subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
        port = _free_port()
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=100"
        start = [str(self.binaries / "pg_ctl"), "-D", str(self.data), "-o", options]
        start += ["-l", str(self.root / "log"), "-w", "start"]
        # Its own session, so Ctrl-C reaches this script (which then stops it), not the server.
        subprocess.run(_as_postgres(start), check=True, capture_output=True, start_new_session=True)
        self.started = True
        return f"postgresql+psycopg://tune@127.0.0.1:{port}/postgres"

    def stop(self) -> None:
        if self.started:
            stop = [str(self.binaries / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop"]
            subprocess.run(_as_postgres(stop), capture_output=True)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


# ---------------------------------------------------------------- the objective


def burn(iterations: int) -> int:
    """Pure-Python CPU work: a fixed number of loop iterations."""
    acc = 0
    for i in range(iterations):
        acc = (acc + i * i) % 1_000_003
    return acc


def calibrate(work_ms: float) -> int:
    """Iterations of `burn` that take about `work_ms` on this core, now."""
    iterations = 10_000
    while True:
        started = time.perf_counter()
        burn(iterations)
        took = time.perf_counter() - started
        if took >= 0.2:
            break
        iterations *= 2
    per_iteration = min(_time_burn(iterations) for _ in range(3)) / iterations
    return max(1, round(work_ms / 1000 / per_iteration))


def _time_burn(iterations: int) -> float:
    started = time.perf_counter()
    burn(iterations)
    return time.perf_counter() - started


# ---------------------------------------------------------------- a worker


def worker(
    index: int,
    url: str,
    study_name: str,
    trials: int,
    iterations: int,
    barrier,
    results,
) -> None:
    """One worker process: connect through tuneplate, wait for the others, run the study."""
    try:
        import optuna

        from tuneplate.engine.search.study import make_storage, run

        optuna.logging.set_verbosity(optuna.logging.ERROR)  # as tuneplate's engine does
        storage = make_storage(url, None)
        study = optuna.load_study(
            study_name=study_name,
            storage=storage,
            sampler=optuna.samplers.RandomSampler(seed=index),
        )
        spent = [0.0, 0]  # objective seconds, objective calls

        def objective(trial: optuna.Trial) -> float:
            started = time.perf_counter()
            value = sum(trial.suggest_float(f"x{i}", -10.0, 10.0) ** 2 for i in range(3))
            burn(iterations)
            spent[0] += time.perf_counter() - started
            spent[1] += 1
            return value

        barrier.wait(timeout=BARRIER_S)
        started = time.time()
        run(study, objective, n_trials=trials, timeout=None)
        ended = time.time()
        results.put(
            {
                "index": index,
                "start": started,
                "end": ended,
                "objective_s": spent[0],
                "calls": spent[1],
            }
        )
    except KeyboardInterrupt:  # Ctrl-C reaches every worker; the parent reports it
        barrier.abort()
    except BaseException:
        barrier.abort()  # the others stop waiting for this worker
        results.put({"index": index, "error": traceback.format_exc()})
        raise


# ---------------------------------------------------------------- one measurement


def measure(url: str, n_workers: int, trials: int, iterations: int) -> dict:
    import optuna
    from optuna.trial import TrialState

    from tuneplate.engine.search.study import SKIPPED, make_storage

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    name = f"throughput-{n_workers}-workers-{time.time_ns()}"
    storage = make_storage(url, None)
    optuna.create_study(
        storage=storage, study_name=name, sampler=optuna.samplers.RandomSampler(seed=0)
    )

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(n_workers)
    results = ctx.Queue()
    processes = [
        ctx.Process(
            target=worker,
            args=(i, url, name, trials, iterations, barrier, results),
            daemon=True,
        )
        for i in range(n_workers)
    ]
    try:
        for p in processes:
            p.start()
        reports = []
        deadline = time.time() + RESULT_S
        while len(reports) < n_workers:
            try:
                reports.append(results.get(timeout=1.0))
            except queue.Empty:
                if time.time() > deadline:
                    raise RuntimeError(f"{n_workers} workers: no result in {RESULT_S} s") from None
                got = {r["index"] for r in reports}
                gone = [p for i, p in enumerate(processes) if i not in got and not p.is_alive()]
                if gone and results.empty():  # a dead worker's result is already in the pipe
                    raise RuntimeError(
                        f"{n_workers} workers: a worker exited with code {gone[0].exitcode} "
                        "without a result"
                    ) from None
        for p in processes:
            p.join(timeout=30)
    finally:
        for p in processes:
            if p.is_alive():
                p.terminate()
                p.join(timeout=10)
    errors = [r["error"] for r in reports if "error" in r]
    if errors:
        raise RuntimeError(f"{n_workers} workers: a worker failed:\n{errors[0]}")

    study = optuna.load_study(study_name=name, storage=storage)
    all_trials = study.get_trials(deepcopy=False)
    complete = [t for t in all_trials if t.state == TrialState.COMPLETE]
    skipped = [t for t in all_trials if t.user_attrs.get(SKIPPED)]
    failed = [t for t in all_trials if t.state == TrialState.FAIL and not t.user_attrs.get(SKIPPED)]
    duplicated = [n for n, c in Counter(t.number for t in all_trials).items() if c > 1]
    calls = sum(r["calls"] for r in reports)
    first = min(r["start"] for r in reports)
    wall = max(r["end"] for r in reports) - first
    # Optuna stamps datetime_complete with this machine's local clock, as time.time() is.
    last = max((t.datetime_complete.timestamp() for t in complete), default=first) - first
    objective_s = sum(r["objective_s"] for r in reports)
    storage.engine.dispose()  # give the connections back before the next study
    return {
        "workers": n_workers,
        "trials": len(complete),
        "wall_s": wall,
        "tail_s": max(0.0, wall - last),  # after the last trial completed: workers stopping
        "per_min": len(complete) / wall * 60,
        "objective_ms": objective_s / calls * 1000 if calls else float("nan"),
        "engine_share": 1 - objective_s / (wall * n_workers),
        "budget_kept": len(complete) == trials and calls == trials and not duplicated,
        "calls": calls,
        "skipped": len(skipped),
        "failed": len(failed),
        "duplicated": duplicated,
        "busy_s": [
            round(r["end"] - r["start"], 2) for r in sorted(reports, key=lambda r: r["index"])
        ],
    }


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--work-ms", type=float, default=20.0)
    args = parser.parse_args()
    if min(args.workers) < 1 or args.trials < 1 or args.work_ms < 0:
        parser.error("--workers and --trials must be at least 1, --work-ms at least 0")
    if max(args.workers) > 40:
        parser.error("at most 40 workers: the server allows 100 connections")
    reason = missing_requirements()
    if reason:
        print(f"worker_throughput: {reason}", file=sys.stderr)
        sys.exit(2)

    # `kill` too, not only Ctrl-C, stops the workers and the server on the way out.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    iterations = calibrate(args.work_ms) if args.work_ms > 0 else 0
    print(
        f"calibrated: {iterations:,} loop iterations ~ {args.work_ms:g} ms on an idle core",
        file=sys.stderr,
    )
    server = Postgres()
    rows = []
    try:
        url = server.start()
        for n in args.workers:
            print(f"{n} worker(s), {args.trials} trials ...", file=sys.stderr)
            row = measure(url, n, args.trials, iterations)
            print(
                f"  {row['wall_s']:.1f} s, of which {row['tail_s']:.1f} s after the last trial "
                f"completed; worker run times {row['busy_s']} s; "
                f"{row['skipped']} refused (budget spent), {row['failed']} failed",
                file=sys.stderr,
            )
            rows.append(row)
    finally:
        server.stop()

    cores = os.cpu_count()
    print(
        f"One PostgreSQL study per worker count on a local throwaway server; {args.trials} trials; "
        f"objective = 3 suggested floats + {args.work_ms:g} ms of pure-Python CPU work "
        f"(calibrated idle); random sampler; {cores} cores.\n"
    )
    print(
        "| workers | trials | wall s | trials/min | objective ms/trial | engine share "
        "| budget kept |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['workers']} | {r['trials']} | {r['wall_s']:.1f} | {r['per_min']:.0f} "
            f"| {r['objective_ms']:.1f} | {r['engine_share']:.0%} "
            f"| {'yes' if r['budget_kept'] else 'no'} |"
        )
    over = [r["workers"] for r in rows if cores and r["workers"] > cores]
    print(
        "\nWhat this can show: the engine's own cost per trial (sampler, database round trips, "
        "the study-wide budget check) and whether N workers keep the budget exactly."
    )
    print(
        f"What it cannot: scaling past {cores} cores. The objective is CPU-bound and the "
        f"database server shares the same {cores} cores, so "
        + (
            f"with {', '.join(map(str, over))} workers the processes compete for cores "
            "(objective ms/trial rises) and throughput there reflects contention, not scaling."
            if over
            else "adding workers beyond the core count would show contention, not scaling."
        )
    )
    print(
        "The database is on this machine (no network latency) and the machine is shared and "
        "noisy. Wall time and engine share include the stop at the budget's end: a worker "
        f"refused there polls every {POLL_S} s until the trials ahead of it end; here "
        + ", ".join(f"{r['tail_s']:.1f} s ({r['workers']})" for r in rows)
        + " passed after the last trial completed."
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("worker_throughput: interrupted; the server was stopped", file=sys.stderr)
        sys.exit(130)
