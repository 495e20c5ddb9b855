"""How long the command line takes to answer before it does any work, beside the floor.

Times, in fresh processes run in turn (so machine noise falls on every row alike):
`tuneplate --help`, `tuneplate verticals`, `tuneplate run --help`, a mistyped flag (exit 2),
`import tuneplate`, and, for the floor no command can go under, `import pandas`
(every command reads a table). Prints the median seconds of each and its ratio to the
floor. Run it from any folder but the checkout, to time the installed package:

    cd /tmp && python /path/to/benchmarks/cli_start.py [--repeats 5]

Before the parser stopped importing the engine (December 2026) every row took 9-10 s
on a 2-core machine, where `import pandas` took about 1.3 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

CASES = {
    "import pandas (floor)": [sys.executable, "-c", "import pandas"],
    "import tuneplate": [sys.executable, "-c", "import tuneplate"],
    "tuneplate --help": [sys.executable, "-m", "tuneplate", "--help"],
    "tuneplate verticals": [sys.executable, "-m", "tuneplate", "verticals"],
    "tuneplate run --help": [sys.executable, "-m", "tuneplate", "run", "--help"],
    "a mistyped flag (exit 2)": [
        sys.executable,
        "-m",
        "tuneplate",
        "run",
        "credit-risk",
        "--trials",
        "many",
    ],
}


def seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(args.repeats):
        for name, command in CASES.items():  # interleaved: noise falls on every row
            times[name].append(seconds(command))
    floor = statistics.median(times["import pandas (floor)"])
    print(f"{'':28} {'median s':>9} {'x floor':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:28} {median:9.2f} {median / floor:8.2f}")


if __name__ == "__main__":
    main()
