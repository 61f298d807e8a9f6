"""Throughput of batch triage on one core, and the model's load time.

Generates N appeals from the training corpus's texts with seeded places and times (a few
estates, buildings and roads, times a minute or so apart, some reported twice), then runs the
same code as `manage.py triage` (classification and duplicate search), single-threaded.

    python bench/triage_throughput.py --appeals 20000
"""

from __future__ import annotations

import os

# One core: no BLAS or OpenMP threads.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import datetime as dt  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from fengqiao.triage import batch, store  # noqa: E402

ESTATES = ["翡翠湾小区", "金色家园", "锦绣华庭", "海恒家园", "幸福里小区", "阳光花园"]
ROADS = ["建设中路", "新华路", "红旗路", "解放路", "芙蓉大道", "桂花路"]
CITIES = ["合肥市经开区", "株洲市芦淞区", "郴州市苏仙区", "怀化市沅陵县"]


def generate(count: int, seed: int = 7) -> list[batch.Appeal]:
    rng = random.Random(seed)
    texts = [example.text for example in store.read_corpus()]
    at = dt.datetime(2026, 9, 1, tzinfo=batch.LOCAL_TIME)
    appeals = []
    for index in range(count):
        at += dt.timedelta(seconds=rng.randint(5, 120))
        if appeals and rng.random() < 0.05:  # a second report of a recent incident
            earlier = appeals[-rng.randint(1, min(20, len(appeals)))]
            text, address = earlier.text, earlier.address
        else:
            text = rng.choice(texts)
            city = rng.choice(CITIES)
            if rng.random() < 0.6:
                address = f"{city}{rng.choice(ESTATES)}{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元"
            else:
                address = f"{city}{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        appeals.append(batch.Appeal(id=f"b{index:06d}", text=text, address=address, received_at=at))
    return appeals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=20000)
    args = parser.parse_args()
    path = store.model_path()
    if not path.exists():
        sys.exit(f"No model at {path}: run `python manage.py train_triage` first.")
    started = time.perf_counter()
    model = store.load(path)
    load_seconds = time.perf_counter() - started
    appeals = generate(args.appeals)
    started = time.perf_counter()
    results = batch.triage_appeals(appeals, model=model)
    seconds = time.perf_counter() - started
    duplicates = sum(1 for row in results if row["duplicate_of"] is not None)
    print(f"model load (joblib + word dictionary): {load_seconds:.2f} s")
    print(f"appeals: {len(results)}, duplicates found: {duplicates}")
    print(f"throughput: {len(results) / seconds:,.0f} appeals/s on one core ({seconds:.2f} s)")


if __name__ == "__main__":
    main()
