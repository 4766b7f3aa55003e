"""``torch.autograd.profiler``: the older name of ``torch.profiler``'s profile and record_function."""
from ..profiler import profile, record_function, EventList, FunctionEventAvg  # noqa: F401
