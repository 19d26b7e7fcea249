"""Shows one generated program: its source (plain, or the reference with its checks), its
input sets, and what running it in this process gives.

    python tests/fuzz/show.py SEED INDEX [--reference] [--no-run]
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.generator import generate  # noqa: E402
from fuzz.values import source  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("seed", type=int)
    p.add_argument("index", type=int)
    p.add_argument("--reference", action="store_true", help="show the reference program")
    p.add_argument("--no-run", action="store_true")
    args = p.parse_args(argv)
    program = generate(args.seed, args.index)
    print(f"# {program.name}: features {', '.join(program.features)}; "
          f"tolerance level {program.approx}")
    print(program.reference_source() if args.reference else program.plain_source())
    for k, specs in enumerate(program.inputs):
        print(f"# input {k}: {', '.join(source(s) for s in specs)}")
    if not args.no_run:
        from fuzz.execute import run_job
        print(json.dumps(run_job(program.job()), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
