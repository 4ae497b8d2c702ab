"""Serve gateway events with a WSGI app built once per container."""

import logging
import os
from typing import Any, Callable, Dict, Mapping, Optional

from .environ import make_environ
from .events import (
    COMMAND,
    HTTP_PLATFORMS,
    TIMER,
    UNKNOWN,
    WARMUP,
    MalformedEvent,
    classify,
    read_request,
)
from .responses import (
    PLATFORM_LIMIT_BYTES,
    ResponseTooLarge,
    answer_bound,
    json_result,
    oversize,
    platform_answer,
    run_app,
)

logger = logging.getLogger("flask_serverless")

Handler = Callable[[Any, Any], Dict[str, Any]]


def request_id_of(context: Any, event: Any) -> str:
    """Return the invocation's request id from the context (Tencent dict, AWS object)."""
    if isinstance(context, dict):  # Tencent: request_id (aws_request_id for a stand-in)
        value = context.get("request_id") or context.get("aws_request_id")
    else:  # AWS: an object
        value = getattr(context, "aws_request_id", None) or getattr(context, "request_id", None)
    if isinstance(value, str) and value:
        return value
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    if isinstance(request_context, dict) and isinstance(request_context.get("requestId"), str):
        return request_context["requestId"]
    return "-"


def is_on(setting: Any) -> bool:
    """Tell whether a yes/no setting (a bool, or text such as "yes", "true", "1") is on."""
    if isinstance(setting, bool):
        return setting
    return str(setting).strip().lower() in ("yes", "y", "true", "t", "1", "on")


def make_handler(
    app: Callable[..., Any],
    base_path: Optional[str] = None,
    limit: int = PLATFORM_LIMIT_BYTES,
    strip_stage_path: Optional[bool] = None,
) -> Handler:
    """Return handler(event, context) serving app.

    base_path defaults to app.config BASE_PATH; strip_stage_path to app.config
    STRIP_STAGE_PATH, else the STRIP_STAGE_PATH environment variable (yes, true or 1).
    """
    config = getattr(app, "config", {})
    if base_path is None:
        base_path = config.get("BASE_PATH") or ""
    if strip_stage_path is None:
        setting = config.get("STRIP_STAGE_PATH", os.environ.get("STRIP_STAGE_PATH", ""))
        strip_stage_path = is_on(setting)

    def handler(event: Any, context: Any) -> Dict[str, Any]:
        platform = classify(event)
        request_id = request_id_of(context, event)
        if platform == COMMAND:
            return run_command(app, event["flask_serverless"].get("command"), request_id)
        if platform not in HTTP_PLATFORMS:
            return _not_http(platform, event, request_id)
        try:
            request = read_request(event, platform)
        except MalformedEvent as error:
            logger.warning("malformed %s event (request %s): %s", platform, request_id, error)
            return _error(platform, event, 400, "malformed_event", str(error), request_id)
        environ = make_environ(request, base_path, event, context, request_id, strip_stage_path)
        try:
            result = run_app(app, environ, limit)
        except ResponseTooLarge as error:
            return _too_large(platform, event, error.size, limit, request_id)
        except Exception:
            logger.exception(
                "unhandled error serving %s %s (request %s)",
                request.method,
                request.path,
                request_id,
            )
            message = "The server failed to answer; quote the request id when reporting it."
            return _error(platform, event, 500, "internal_error", message, request_id)
        answer = platform_answer(platform, result, event)
        if answer_bound(result) > limit:  # only then is the answer's real size worth counting
            size = oversize(answer, limit)
            if size:
                return _too_large(platform, event, size, limit, request_id)
        return answer

    return handler


def run_command(app: Any, command: Any, request_id: str) -> Dict[str, Any]:
    """Run one of the app's CLI commands (flask <command>), e.g. ["db", "upgrade"].

    Only a direct invocation with cloud credentials can send this event; no gateway
    request has its shape. The output is cut to its last 4000 characters.
    """
    if not isinstance(command, list) or not all(isinstance(arg, str) for arg in command):
        logger.warning("refused a command that is not a list of strings (request %s)", request_id)
        return {"status": "refused", "error": "command must be a list of strings"}
    if not hasattr(app, "test_cli_runner"):
        return {"status": "refused", "error": "the app has no Flask command line"}
    logger.info("running flask %s (request %s)", " ".join(command), request_id)
    result = app.test_cli_runner().invoke(args=command)
    answer = {
        "status": "ok" if result.exit_code == 0 else "failed",
        "exit_code": result.exit_code,
        "output": result.output[-4000:],
        "request_id": request_id,
    }
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        logger.error(
            "flask %s failed (request %s)",
            " ".join(command),
            request_id,
            exc_info=result.exc_info,
        )
        answer["error"] = "%s: %s" % (type(result.exception).__name__, result.exception)
    return answer


def _not_http(platform: str, event: Any, request_id: str) -> Dict[str, Any]:
    """Answer timers, warm-up pings and unknown events without touching the app."""
    if platform == UNKNOWN:
        shape = sorted(map(str, event))[:10] if isinstance(event, dict) else type(event).__name__
        logger.warning("ignored an event of unknown shape %s (request %s)", shape, request_id)
    else:
        logger.info("%s event: nothing to serve (request %s)", platform, request_id)
    status = "warm" if platform in (TIMER, WARMUP) else "ignored"
    return {"status": status, "event": platform, "request_id": request_id}


def _error(
    platform: str, event: Mapping[str, Any], status: int, code: str, message: str, request_id: str
) -> Dict[str, Any]:
    """Answer with a small JSON error in the platform's format."""
    payload = {"error": code, "message": message, "request_id": request_id}
    return platform_answer(platform, json_result(status, payload), event)


def _too_large(
    platform: str, event: Mapping[str, Any], size: int, limit: int, request_id: str
) -> Dict[str, Any]:
    """Answer 502 for a response the platform could not carry."""
    logger.error(
        "response of %d bytes exceeds the platform's %d-byte limit (request %s)",
        size,
        limit,
        request_id,
    )
    message = "The response is larger than the %d bytes the platform can return." % limit
    return _error(platform, event, 502, "response_too_large", message, request_id)
