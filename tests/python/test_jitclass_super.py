"""super() in jitclass methods (ember/jitclass_super.py): super().__init__(...),
super().method(...), dunder methods, static methods and properties through super(),
super(Cls, self), a grandchild whose parent's methods call super() themselves, from Python and
from compiled code, and the forms refused when the class is created.  The same class bodies run
as plain Python classes and the results are compared."""
import pytest

from ember import njit, types
from ember.experimental import jitclass


class Account:
    def __init__(self, balance):
        super().__init__()  # object.__init__(): nothing to do
        self.balance = balance

    def deposit(self, x):
        self.balance += x
        return self.balance

    def fee(self):
        return 1.0

    def __add__(self, other):
        return self.balance + other.balance

    @property
    def worth(self):
        return self.balance - self.fee()  # fee(): the derived class's override

    @staticmethod
    def rate():
        return 0.5


class Savings(Account):
    def __init__(self, balance, interest):
        super().__init__(balance * 2.0)
        self.interest = interest

    def deposit(self, x):
        return super().deposit(x + self.interest) + 0.25

    def fee(self):
        return super().fee() + 2.0

    def __add__(self, other):
        return super().__add__(other) + 1000.0

    @property
    def worth(self):
        return super().worth * 2.0

    def total_rate(self, k=3.0):
        return super().rate() + k


class Premium(Savings):
    def __init__(self, balance, interest, bonus):
        super(Premium, self).__init__(balance, interest)  # noqa: UP008 (the two-argument form)
        self.bonus = bonus

    def fee(self):
        return super().fee() * 10.0 + self.bonus


JAccount = jitclass([("balance", types.float64)])(Account)


class JSavings(JAccount):
    __init__ = Savings.__init__
    deposit = Savings.deposit
    fee = Savings.fee
    __add__ = Savings.__add__
    worth = Savings.__dict__["worth"]
    total_rate = Savings.total_rate


JSavings = jitclass([("interest", types.float64)])(JSavings)


class JPremium(JSavings):
    __init__ = Premium.__init__
    fee = Premium.fee


JPremium = jitclass([("bonus", types.float64)])(JPremium)


def exercise(a, s, p):
    out = []
    for obj in (a, s, p):
        d = obj.deposit(5.0)
        out.append((d, obj.fee(), obj.worth, obj.balance, obj + obj))
    return out, s.total_rate(), p.total_rate(1.0)


def test_super_in_methods_properties_and_dunders_from_python():
    py = (Account(10.0), Savings(10.0, 1.5), Premium(10.0, 1.5, 0.125))
    jt = (JAccount(10.0), JSavings(10.0, 1.5), JPremium(10.0, 1.5, 0.125))
    assert exercise(*jt) == exercise(*py)
    assert jt[2].interest == 1.5 and jt[2].bonus == 0.125 and jt[2].balance == py[2].balance


@njit
def _compiled(b, i, bonus):
    s = JSavings(b, i)
    p = JPremium(b, i, bonus)
    ds = s.deposit(5.0)
    dp = p.deposit(5.0)
    return ds, dp, s.fee(), p.fee(), s.worth, p.worth, s + s, p + p, p.total_rate(2.0), p


def _python(b, i, bonus):
    s = Savings(b, i)
    p = Premium(b, i, bonus)
    ds = s.deposit(5.0)
    dp = p.deposit(5.0)
    return ds, dp, s.fee(), p.fee(), s.worth, p.worth, s + s, p + p, p.total_rate(2.0), p


def test_super_in_compiled_code():
    got = _compiled(3.0, 0.5, 2.0)
    ref = _python(3.0, 0.5, 2.0)
    assert got[:-1] == ref[:-1]
    assert isinstance(got[-1], JPremium) and got[-1].balance == ref[-1].balance


def test_decorated_classes_and_fields_through_super():
    @jitclass([("x", types.int64)])
    class Base:
        def __init__(self, x):
            self.x = x

        def step(self):
            return self.x + 1

    @jitclass([("y", types.int64)])
    class Child(Base):
        def __init__(self, x, y):
            super().__init__(x * 10)
            self.y = y

        def step(self):
            return super().step() * 100 + self.y

        def base_x(self):
            return super().x  # a field: the instance's own (jitclass fields are properties)

    c = Child(2, 3)
    assert (c.x, c.y, c.step(), c.base_x()) == (20, 3, 2103, 20)

    @njit
    def use(x, y):
        c = Child(x, y)
        return c.step() + c.base_x()

    assert use(4, 5) == (41 * 100 + 5) + 40


def test_super_errors_name_the_line():
    @jitclass([("x", types.int64)])
    class Base:
        def __init__(self, x):
            self.x = x

    class Missing(Base):
        def go(self):
            return super().nothing_here()

    with pytest.raises(TypeError, match=r"Base has no method 'nothing_here'.*'go'.*line"):
        jitclass(Missing)

    class Bound(Base):
        def go(self):
            f = super().__init__
            return f

    with pytest.raises(TypeError, match="taken as a value"):
        jitclass(Bound)

    class Bare(Base):
        def go(self):
            s = super()
            return s

    with pytest.raises(TypeError, match=r"only as super\(\).name"):
        jitclass(Bare)

    class Root:
        def __init__(self):
            super().other()

    with pytest.raises(TypeError, match="derives from object"):
        jitclass([("x", types.int64)])(Root)
