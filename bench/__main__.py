"""python -m bench [notify] [clubs] [caregroups] [pickup] [reports]: run the benchmarks (all by default) and print the figures with the hardware."""

import sys

from bench import caregroups, clubs, notify, pickup, reports
from bench.common import database_engine, database_version, hardware

BENCHMARKS = {"notify": notify, "clubs": clubs, "caregroups": caregroups, "pickup": pickup, "reports": reports}


def main() -> None:
    chosen = sys.argv[1:] or list(BENCHMARKS)
    engine = database_engine()
    print(f"# Kehou benchmarks — {hardware()}; {database_version(engine)}")
    for name in chosen:
        for line in BENCHMARKS[name].run(engine):
            print(line, flush=True)


if __name__ == "__main__":
    main()
