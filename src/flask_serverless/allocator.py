"""glibc's malloc settings for a process that compresses its answers with Brotli.

A Brotli encoder allocates some megabytes for each body and frees them on return. Left to
glibc's adaptive thresholds, a process either keeps that memory on its heap or, depending on
where the buffers fell, hands it back to the kernel after every answer and takes page faults
to touch it again on the next: the same quick compression of a 60 kB page cost 0.33 ms in one
process and 0.59 ms in the next. Fixed thresholds keep buffers under 32 MiB on the heap and
its top unreturned below 64 MiB, in every process alike.

A function's platform starts the interpreter, so the deployments set these as environment
variables (read by glibc at start, no import needed); a long-running server can call
tune_allocator() once instead. Elsewhere (musl, macOS) both do nothing.
"""

from typing import Dict  # noqa: F401 - in the type comment

#: glibc's environment variables (note the trailing underscore) and their values in bytes.
ALLOCATOR_ENVIRONMENT = {
    "MALLOC_MMAP_THRESHOLD_": "33554432",
    "MALLOC_TRIM_THRESHOLD_": "67108864",
}  # type: Dict[str, str]
#: mallopt's parameter numbers for them (malloc.h).
_MALLOPT = {"MALLOC_MMAP_THRESHOLD_": -3, "MALLOC_TRIM_THRESHOLD_": -1}


def tune_allocator() -> bool:
    """Apply ALLOCATOR_ENVIRONMENT's settings to this process; tell whether glibc took them."""
    import ctypes  # only here: an event function's cold start does without it

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):  # not glibc
        return False
    return all(
        mallopt(_MALLOPT[name], int(value)) == 1 for name, value in ALLOCATOR_ENVIRONMENT.items()
    )
