"""python -m bench: run every benchmark and print the figures with the hardware."""

from bench import notify
from bench.common import database_engine, database_version, hardware


def main() -> None:
    engine = database_engine()
    print(f"# Kehou benchmarks — {hardware()}; {database_version(engine)}")
    for line in notify.run(engine):
        print(line, flush=True)


if __name__ == "__main__":
    main()
