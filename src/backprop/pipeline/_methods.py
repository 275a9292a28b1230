"""The pieces of ``Pipeline`` that are not about fitting: passthrough steps, conditional methods, log lines."""
import types


def _is_passthrough(step):
    return step is None or (isinstance(step, str) and step == "passthrough")


class _Steps(dict):
    """``pipe.named_steps``: a dict whose entries are also attributes (scikit-learn's ``Bunch``)."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _timed_message(name, index, n_steps, seconds):
    """scikit-learn's verbose line: ``[Pipeline] ....... (step 1 of 2) Processing scaler, total=   0.0s``."""
    start = "[Pipeline] "
    end = f" (step {index + 1} of {n_steps}) Processing {name}, total=" + (
        f"{seconds / 60:4.1f}min" if seconds > 60 else f" {seconds:5.1f}s")
    return start + "." * (70 - len(start) - len(end)) + end


class _FromFinalStep:
    """A method that exists when the final step has it: transforms X through the other steps, then calls it."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, pipe, owner=None):
        if pipe is None:
            return self
        final = pipe.steps[-1][1] if pipe.steps else None
        if not hasattr(final, self.name):
            raise AttributeError(f"This 'Pipeline' has no attribute {self.name!r}: its final step "
                                 f"{type(final).__name__} has none.")

        def method(X, **params):
            return getattr(pipe.steps[-1][1], self.name)(pipe._transform_until_last(X), **params)

        method.__name__ = self.name
        method.__doc__ = f"Transform X through all steps but the last, then the last step's ``{self.name}``."
        return method


class _AvailableIf:
    """A method present only when ``check(pipe)`` holds (scikit-learn's ``available_if``): ``hasattr`` tells."""

    def __init__(self, method, check, why):
        self.method, self.check, self.why = method, check, why
        self.__doc__ = method.__doc__

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, pipe, owner=None):
        if pipe is None:
            return self
        if not self.check(pipe):
            raise AttributeError(f"This 'Pipeline' has no attribute {self.name!r}: {self.why}.")
        return types.MethodType(self.method, pipe)


def _available_if(check, why):
    return lambda method: _AvailableIf(method, check, why)
