"""A few lines of check running for the Python client scripts: each check runs at once, prints PASS
or FAIL with the first thing that differed, and failures() counts the failed ones."""

import traceback

_failed = []


class Mismatch(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise Mismatch(what)


def raises(kind, call):
    """The error `call` raises, which must be a `kind`."""
    try:
        call()
    except kind as e:
        return e
    except Exception as e:  # noqa: BLE001 - a wrong kind of error is a failure to report, not to raise
        raise Mismatch(f"expected {kind.__name__}, got {type(e).__name__}: {e}") from e
    raise Mismatch(f"expected {kind.__name__}, the call succeeded")


def check(name):
    def run(fn):
        try:
            fn()
            print(f"PASS {name}", flush=True)
        except Mismatch as e:
            _failed.append(name)
            print(f"FAIL {name}: {e}", flush=True)
        except Exception as e:  # noqa: BLE001 - any client error is what the check is here to show
            _failed.append(name)
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
            traceback.print_exc()
        return fn

    return run


def failures():
    return len(_failed)
