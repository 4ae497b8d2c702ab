"""A deadline on every wait for PostgreSQL: a server that stops answering costs a 503, not a hang.

libpq waits for an answer for as long as the socket stays open. A frozen server, or one behind a
network that drops packets, holds the request until the function's own timeout (and the
server's statement_timeout can't fire on a server that doesn't run). psycopg2 lets a program do
the waiting instead, through a wait callback, as green-thread libraries do. This one waits with
select() until the connection's deadline, then shuts the socket down and raises NoAnswer, which
the engine counts as a disconnect: the connection is dropped, and the request gets the usual
503. The callback is process-wide; connections made without a deadline wait as libpq would.
psycopg2 can't run COPY through a wait callback: see `waiting_as_libpq`.

Each wait has its own deadline (connecting, or one answer); a thread may also set a deadline
for all its waits together (`begin`, `within`): a request's, so that a ping that goes
unanswered and the reconnect after it share one budget instead of adding up.
"""

import contextlib
import select
import socket
import threading
import time
from typing import Any, Iterator, Optional

import psycopg2
from psycopg2 import extensions
from sqlalchemy import event
from sqlalchemy.engine import Engine


class NoAnswer(psycopg2.OperationalError):
    """PostgreSQL did not answer before the connection's deadline."""


def connection_class(answer_seconds: Optional[float], connect_seconds: float) -> type:
    """Return a psycopg2 connection class whose waits end after these many seconds."""
    return type(
        "DeadlineConnection",
        (extensions.connection,),
        {"answer_seconds": answer_seconds, "connect_seconds": connect_seconds},
    )


#: The deadline (time.monotonic()) of every wait in this thread, when one is set.
_thread = threading.local()


def thread_deadline() -> Optional[float]:
    """Return the deadline this thread's waits share, or None."""
    return getattr(_thread, "deadline", None)


def begin(seconds: Optional[float]) -> None:
    """Let this thread's waits for PostgreSQL take these many seconds in all (None: no bound)."""
    _thread.deadline = None if seconds is None else time.monotonic() + seconds


def end() -> None:
    """Drop this thread's shared deadline."""
    _thread.deadline = None


@contextlib.contextmanager
def within(seconds: Optional[float]) -> Iterator[None]:
    """Bound the waits inside the block to these many seconds, and to the thread's deadline."""
    previous = thread_deadline()
    if seconds is not None:
        deadline = time.monotonic() + seconds
        _thread.deadline = deadline if previous is None else min(previous, deadline)
    try:
        yield
    finally:
        _thread.deadline = previous


def seconds_allowed(connection: Any) -> Optional[float]:
    """Return how long this wait may take: the connect deadline while connecting."""
    if connection.status == extensions.STATUS_SETUP:
        return getattr(connection, "connect_seconds", None)
    return getattr(connection, "answer_seconds", None)


def wait(connection: Any) -> None:
    """Wait until the connection's operation is done, or raise NoAnswer at its deadline."""
    allowed = seconds_allowed(connection)
    deadline = None if allowed is None else time.monotonic() + allowed
    shared = thread_deadline()
    if shared is not None and (deadline is None or shared < deadline):
        deadline = shared
        allowed = max(shared - time.monotonic(), 0.0)
    while True:
        state = connection.poll()
        if state == extensions.POLL_OK:
            return
        remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
        socket_number = connection.fileno()
        if state == extensions.POLL_READ:
            ready = select.select([socket_number], [], [], remaining)[0]
        elif state == extensions.POLL_WRITE:
            ready = select.select([], [socket_number], [], remaining)[1]
        else:
            raise psycopg2.OperationalError("unexpected poll state %r" % state)
        if not ready and deadline is not None and time.monotonic() >= deadline:
            hang_up(socket_number)
            raise NoAnswer("PostgreSQL did not answer within %g s" % allowed)


def hang_up(socket_number: int) -> None:
    """Shut the connection's socket down, so libpq sees it closed (closing here would block)."""
    duplicate = socket.fromfd(socket_number, socket.AF_INET, socket.SOCK_STREAM)
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already gone
    finally:
        duplicate.close()


def _count_as_disconnect(context: Any) -> None:
    """Tell SQLAlchemy a connection that timed out is gone, so the pool drops it."""
    if isinstance(context.original_exception, NoAnswer):
        context.is_disconnect = True


def install(engine: Engine) -> None:
    """Wait for PostgreSQL through `wait`, and treat NoAnswer on this engine as a disconnect."""
    if extensions.get_wait_callback() is not wait:
        extensions.set_wait_callback(wait)
    event.listen(engine, "handle_error", _count_as_disconnect)


@contextlib.contextmanager
def waiting_as_libpq() -> Iterator[None]:
    """Wait as libpq does, with no deadline, inside the block: for COPY, in a process that
    runs nothing else against PostgreSQL meanwhile (the callback is process-wide)."""
    previous = extensions.get_wait_callback()
    extensions.set_wait_callback(None)
    try:
        yield
    finally:
        extensions.set_wait_callback(previous)
