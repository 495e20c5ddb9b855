"""The recommendation vertical on its synthetic shop: ranker vs baselines, time and memory.

The same table as `recommendation_movielens.py` (its `run_table`), for the vertical's
embedded example: the seeded simulated shop of `verticals/recommendation/data.py`
(1,500 customers, 800 products in 12 categories with prices, views and purchases over
2025; every event counts as a positive), read with its item table. Per seed: the hold-out
NDCG@10 of the tuned ranker and of every baseline on the same customers, the ranker's
ratio to the strongest with its 95% bootstrap interval, the recommended model, candidate
recall, seconds per trial and peak memory. `--split time` (default) holds out the log's
last period, `--split last-n` each customer's last event (every event is a positive).

    python benchmarks/recommendation_shop.py [--seeds 0 1 2] [--trials 30] [--split time]
    python benchmarks/recommendation_shop.py --seeds 0 1 2   # README.md's shop figures
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import recommendation_movielens as movielens  # noqa: E402 - a sibling script, not a package


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument(
        "--split", default="time", type=movielens.checked_split, help=movielens.SPLIT_HELP
    )
    parser.add_argument("--model", default="lightgbm")
    args = parser.parse_args()
    split = movielens.describe_split(args.split)
    # no data: tune() reads the vertical's embedded example and its item table
    movielens.run_table(f"Synthetic shop (embedded example, seed 7), split {split}", args)


if __name__ == "__main__":
    main()
