"""A user class whose instances the suite stores in the manager.  It lives
in a module of its own, not in the suite's __main__, so that CPython's
server can import it (cpyserver.py runs from this folder); mgrd never
imports anything and must keep it as an opaque value (SPEC §4.3) and give
it back exactly."""


class Point:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __eq__(self, other):
        return type(other) is Point and (self.x, self.y) == (other.x, other.y)

    def __hash__(self):
        return hash((self.x, self.y))

    def __repr__(self):
        return "Point(%r, %r)" % (self.x, self.y)


class Slotted:
    """Pickled with NEWOBJ and a (None, slots) state."""
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b

    def __eq__(self, other):
        return type(other) is Slotted and (self.a, self.b) == (other.a, other.b)

    def __repr__(self):
        return "Slotted(%r, %r)" % (self.a, self.b)
