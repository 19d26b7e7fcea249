"""ember's differential fuzzer: random, well-defined, typed Python functions, each run compiled
by ember and interpreted by CPython + NumPy with the same inputs, and compared (values, types,
dtypes, exception types).  docs/reliability.md says how to run it and what it found.

    python tests/fuzz/run.py --n 2000 --seed 1 [--jobs 2] [--out build/fuzz-found]
    python tests/fuzz/show.py SEED INDEX         # one program, its inputs and its outcome
    make fuzz N=20000 SEED=5 JOBS=2; make fuzz-ci

Modules
-------
``generator``   the core: functions, scopes and facts, dispatch to the feature producers
``registry``    the feature registry (below)
``features/``   one module per language area (scalars, control flow, tuples, calls, arrays,
                array expressions, reductions, prange, small NumPy scalars, unbound variables)
``fztypes``     the static types (scalar kinds, arrays with symbolic shapes, tuples) and the
                annotation (type + exactness) every generated expression carries
``nodes``       builders of annotated AST nodes
``values``      literals in generated code; input sets (edge values, layouts) as JSON specs
``program``     a program: plain source (what ember compiles), reference source, job
``reference``   the reference program: checks where ember differs on purpose
``intended``    the explicit list of intended differences, and what the generator avoids
``execute``     running a job in-process and judging each input set
``compare``     comparing results (exact, or within ulps for approximate floats)
``worker``      the worker process; ``pool``: workers seen from the driver (deaths, timeouts)
``minimize``    the minimizer; ``reproducer``: standalone reproducer files
``run``         the driver (the command line above)

Well-defined programs
---------------------
Every expression has a static type and every variable one type, so ember's unification of
types (int and float to float) never meets CPython's dynamic typing.  Loops are bounded by
constants.  Indices are valid by construction (a loop variable over the axis, or ``k % n``
under a non-empty guard) unless the function has boundscheck=True, where IndexError is compared.
A float is *approximate* (``Info.approx``) once it passed through an operation that is not
exactly rounded or whose order may differ (math functions, float reductions, ``**``);
approximate values never reach a comparison, a condition, a divisor, an index or a conversion
to int, so an ulp never becomes another path, and results are compared within a tolerance only
in programs that have such values.  Where CPython and ember differ on purpose (int64
wraparound, math domain errors, NumPy fixed-width scalars...), the reference program checks and
reports an intended difference instead of a value (intended.py, reference.py).

Adding a feature
----------------
A feature is a module in ``features/`` (imported by ``features/__init__.py``) that declares
itself and registers producers::

    LISTS = feature("lists", "list literals, append, index, len, iteration", probability=0.3)

    @LISTS.expr(lambda want: isinstance(want, ListT), weight=2)
    def list_literal(g, want, depth, exact):
        items = [g.expr(want.item, depth, exact) for _ in range(g.rng.randint(0, 4))]
        return N.ann(ast.List(elts=items, ctx=ast.Load()), want)

    @LISTS.stmt(weight=1)
    def append(g, depth):
        ...   # return a list of statements, or None when not possible here

An expression producer gets the wanted type and returns an annotated node (``nodes.py``:
``N.ann(node, type, approx)``, ``N.call``, ``N.binop``...) or None; a statement producer
returns statements (``compound`` marks ones that nest blocks; ``where=("loop",)``,
``("serial",)``, ``("prange",)`` restrict where they appear).  Use only ``g.rng`` for choices
(never iterate a set): a program must depend on (seed, index) alone.  Declare new variables with
``g.declare`` inside ``g.block()`` scopes.  A new type needs: a class in ``fztypes.py``, its
input specs in ``values.py`` (build + source) if it can be an argument, its comparison in
``compare.py``, and, if ember deliberately differs from CPython on it, an ``Intended`` entry and
a reference check.  What to generate for the features to come:

* containers (lists, dicts, sets): literals, append/pop/insert, indexing with valid indices
  (reuse the facts of ``g.index_for``), len, iteration, ``in``, comprehensions; lists returned
  and compared element by element;
* strings: literals, concatenation, slicing, comparisons, len, ``str()`` of numbers, f-strings;
* closures: an inner ``def``/``lambda`` capturing locals, called in the function, passed to a
  helper;
* exceptions: ``raise ValueError("...")`` under a condition (the judge compares exception
  types already; compare messages too), try/except/finally once ember supports them.

A feature that ember does not support yet can be registered with probability 0 and enabled with
``run.py --features ...`` to measure the gap ("refused" counts it).
"""
