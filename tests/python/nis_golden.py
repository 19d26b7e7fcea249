"""Golden and differential tests of ember's bytecode normalizer on the running interpreter.

    python nis_golden.py --check   # compare with tests/golden/nis/py3XX/<sample>.nis
    python nis_golden.py --bless   # (re)write the golden files of this interpreter

For every sample in nis_samples.py: normalize it (twice: the result must be deterministic),
compare ``dump()`` with the golden file, run ``verify_stack``, and run the NIS interpreter against
CPython on each of the sample's argument sets (result or exception, and the mutated arguments).
Runs on any CPython 3.11+ without ember's native extension; exits non-zero on any failure.
"""
import argparse
import copy
import difflib
import sys

import nis_interp  # found next to this script (sys.path[0])
import nis_samples

bc = nis_interp.bc
GOLDEN_DIR = (nis_interp.REPO / "tests" / "golden" / "nis"
              / f"py{sys.version_info[0]}{sys.version_info[1]}")


def _outcome(call, args, kwargs):
    """(result or exception, arguments after the call), as comparable text."""
    args = copy.deepcopy(args)
    kwargs = copy.deepcopy(kwargs)
    try:
        result = ("return", repr(call(args, kwargs)))
    except nis_interp.StepLimit:
        raise
    except Exception as e:  # noqa: BLE001 - any exception is an outcome to compare
        result = ("raise", f"{type(e).__name__}: {e}")
    return result, repr(args), repr(kwargs)


def check_sample(name, func, cases, bless):
    """Return a list of failure messages for one sample."""
    failures = []
    try:
        nis = bc.normalize(func)
        text = bc.dump(nis)
        if bc.dump(bc.normalize(func)) != text:
            failures.append(f"{name}: normalize() is not deterministic")
    except Exception as e:  # noqa: BLE001
        return [f"{name}: normalize failed: {type(e).__name__}: {e}"]

    path = GOLDEN_DIR / f"{name}.nis"
    if bless:
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
            print(f"  blessed {path.relative_to(nis_interp.REPO)}")
    elif not path.exists():
        failures.append(f"{name}: no golden file {path} (run nis_golden.py --bless)")
    elif path.read_text() != text:
        diff = difflib.unified_diff(path.read_text().splitlines(), text.splitlines(),
                                    f"golden/{name}.nis", f"normalize({name})", lineterm="")
        failures.append(f"{name}: NIS differs from the golden file\n    "
                        + "\n    ".join(list(diff)[:60]))

    try:
        bc.verify_stack(nis)
    except AssertionError as e:
        failures.append(f"{name}: stack check failed: {e}")
        return failures

    for args, kwargs in cases:
        try:
            want = _outcome(lambda a, k: func(*a, **k), args, kwargs)
            got = _outcome(lambda a, k: nis_interp.run_function(func, a, k, nis=nis), args,
                           kwargs)
        except nis_interp.StepLimit as e:
            failures.append(f"{name}{args!r}: {e}")
            continue
        if want != got:
            failures.append(f"{name}(*{args!r}, **{kwargs!r}): CPython gave {want}, "
                            f"NIS interpreter gave {got}")
    return failures


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with golden files (default)")
    mode.add_argument("--bless", action="store_true", help="rewrite the golden files")
    parser.add_argument("names", nargs="*", help="only these samples")
    opts = parser.parse_args(argv)

    version = ".".join(map(str, sys.version_info[:3]))
    samples = nis_samples.SAMPLES
    selected = opts.names or list(samples)
    unknown = [n for n in selected if n not in samples]
    if unknown:
        parser.error(f"unknown samples: {', '.join(unknown)}")
    if opts.bless:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)

    failures = []
    ncases = 0
    for name in selected:
        func, cases = samples[name]
        ncases += len(cases)
        failures += check_sample(name, func, cases, opts.bless)
    if not opts.names and GOLDEN_DIR.is_dir():
        for stale in sorted(GOLDEN_DIR.glob("*.nis")):
            if stale.stem not in samples:
                if opts.bless:
                    stale.unlink()
                    print(f"  removed stale {stale.relative_to(nis_interp.REPO)}")
                else:
                    failures.append(f"{stale.stem}: golden file without a sample: {stale}")

    for f in failures:
        print(f"FAIL {f}")
    status = "FAILED" if failures else "ok"
    print(f"nis_golden py{version} ({'bless' if opts.bless else 'check'}): {len(selected)} "
          f"samples, {ncases} cases, {len(failures)} failures: {status}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
