"""Graph's error model: the error object, its HTTP status and the codes the sandbox returns.

Shape: ``{"error": {"message", "type", "code", "error_subcode"?, "error_user_title"?,
"error_user_msg"?, "is_transient", "fbtrace_id"}}``. Clients must key on ``code`` and
``error_subcode``; the HTTP status is only what is usually observed (400; 500 for codes 1
and 2; 403 for permission errors).
"""

from __future__ import annotations

import secrets
import string
from typing import Any

# Meta does not document which codes carry is_transient=true (UNCONFIRMED): these are the
# reference's suggested set; 368 is transient only with subcode 1390008 (posting too fast).
TRANSIENT_CODES = frozenset({1, 2, 4, 17, 32, 341, 613, 80001})

_ALPHABET = string.ascii_letters + string.digits
GRAPH_DOCS = "https://developers.facebook.com/docs/graph-api"


def trace_id() -> str:
    """An fbtrace_id lookalike (not seeded: it must never change the seeded world)."""
    return "A" + "".join(secrets.choice(_ALPHABET) for _ in range(22))


class GraphError(Exception):
    """An error Graph would return; raised anywhere, rendered once by the dispatcher."""

    def __init__(
        self,
        code: int,
        message: str,
        *,
        subcode: int | None = None,
        type: str = "OAuthException",  # Graph's own field name
        status: int | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        transient: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.subcode = subcode
        self.type = type
        self.user_title = user_title
        self.user_msg = user_msg
        if transient is None:
            transient = code in TRANSIENT_CODES or (code == 368 and subcode == 1390008)
        self.transient = transient
        self.status = status if status is not None else _default_status(code)

    def body(self, fbtrace_id: str) -> dict[str, Any]:
        error: dict[str, Any] = {"message": self.message, "type": self.type, "code": self.code}
        if self.subcode is not None:
            error["error_subcode"] = self.subcode
        if self.user_title is not None:
            error["error_user_title"] = self.user_title
        if self.user_msg is not None:
            error["error_user_msg"] = self.user_msg
        error["is_transient"] = self.transient
        error["fbtrace_id"] = fbtrace_id
        return {"error": error}

    def www_authenticate(self) -> str:
        if self.code in (102, 104, 190):
            kind = "invalid_token"
        elif self.code == 10 or 200 <= self.code <= 299:
            kind = "insufficient_scope"
        else:
            kind = "invalid_request"
        text = self.message.replace('"', "'")
        return f'OAuth "Facebook Platform" "{kind}" "{text}"'


def _default_status(code: int) -> int:
    if code in (1, 2):
        return 500
    if code == 10 or 200 <= code <= 299:
        return 403
    return 400


# --- Constructors, one per documented situation ----------------------------------------


def unknown_error() -> GraphError:
    return GraphError(1, "An unknown error occurred")


def service_unavailable() -> GraphError:
    return GraphError(2, "An unexpected error has occurred. Please retry your request later.")


def app_limit() -> GraphError:
    return GraphError(4, "(#4) Application request limit reached")


def permission_missing(scope: str) -> GraphError:
    return GraphError(10, f"(#10) This endpoint requires the '{scope}' permission.")


def user_limit() -> GraphError:
    return GraphError(17, "(#17) User request limit reached")


def page_limit_user_token() -> GraphError:
    return GraphError(32, "(#32) Page request limit reached")


def invalid_param(message: str) -> GraphError:
    return GraphError(100, f"(#100) {message}")


def unsupported_request(method: str, object_id: str) -> GraphError:
    return GraphError(
        100,
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation. "
        f"Please read the Graph API documentation at {GRAPH_DOCS}",
        subcode=33,
        type="GraphMethodException",
    )


def nonexisting_field(name: str, node_type: str) -> GraphError:
    return invalid_param(f"Tried accessing nonexisting field ({name}) on node type ({node_type})")


def token_missing() -> GraphError:
    # Not in the reference's table; code 104 is what Graph answers without any token.
    return GraphError(104, "An access token is required to request this resource.")


def token_unparseable() -> GraphError:
    return GraphError(190, "Invalid OAuth access token - Cannot parse access token")


TOKEN_SUBCODE_MESSAGES = {
    458: "Error validating access token: The user has not authorized application {app_id}.",
    459: "Error validating access token: You cannot access the app till you log in to "
    "www.facebook.com and follow the instructions given.",
    460: "Error validating access token: The session has been invalidated because the user "
    "changed their password or Facebook has changed the session for security reasons.",
    463: "Error validating access token: Session has expired on {expired}. The current time "
    "is {now}.",
    464: "Error validating access token: Sessions for the user are not allowed because the "
    "user is not a confirmed user.",
    467: "Error validating access token: The session is invalid because the user logged out.",
    492: "Error validating access token: The user associated with this Page access token no "
    "longer has a role on the Page.",
}


def token_invalid(
    subcode: int, *, app_id: str = "", expired: str = "", now: str = ""
) -> GraphError:
    template = TOKEN_SUBCODE_MESSAGES.get(subcode, TOKEN_SUBCODE_MESSAGES[467])
    message = template.format(app_id=app_id, expired=expired, now=now)
    return GraphError(190, message, subcode=subcode)


def page_token_required() -> GraphError:
    return GraphError(190, "(#190) This method must be called with a Page Access Token")


def publish_permission() -> GraphError:
    return GraphError(
        200,
        "(#200) If posting to a page, requires both pages_read_engagement and "
        "pages_manage_posts as an admin with sufficient administrative permission",
    )


def permissions_error(detail: str = "Permissions error") -> GraphError:
    return GraphError(200, f"(#200) {detail}")


def posting_too_fast() -> GraphError:
    return GraphError(
        368,
        "(#368) The action attempted has been deemed abusive or is otherwise disallowed",
        subcode=1390008,
        user_title="You Can't Use This Feature Right Now",
        user_msg="We limit how often you can post, comment or do other things in a given "
        "amount of time in order to help protect the community from spam. You can try "
        "again later.",
    )


def duplicate_post() -> GraphError:
    return GraphError(506, "(#506) Duplicate status message")


def custom_limit() -> GraphError:
    return GraphError(613, "(#613) Calls to this api have exceeded the rate limit.", subcode=1996)


def page_limit() -> GraphError:
    return GraphError(
        80001,
        "(#80001) There have been too many calls to this Page account. Wait a bit and try "
        "again. For more info, please refer to "
        "https://developers.facebook.com/docs/graph-api/overview/rate-limiting.",
    )


def appsecret_proof_missing() -> GraphError:
    return GraphError(
        100,
        "API calls from the server require an appsecret_proof argument",
        type="GraphMethodException",
    )


def appsecret_proof_invalid() -> GraphError:
    return GraphError(
        100,
        "Invalid appsecret_proof provided in the API argument",
        type="GraphMethodException",
    )


def no_metric() -> GraphError:
    return GraphError(
        3001,
        "Invalid query",
        subcode=1504028,
        user_title="No Metric Specified",
        user_msg="No metric was specified to be fetched. Please specify one or more metrics "
        "to be fetched and try again.",
    )


def invalid_metric() -> GraphError:
    return invalid_param("The value must be a valid insights metric")


def aliases_missing(ids: list[str]) -> GraphError:
    return GraphError(
        803, f"(#803) Some of the aliases you requested do not exist: {','.join(ids)}"
    )


def link_unscrapable() -> GraphError:
    return GraphError(
        1609005,
        "(#1609005) Error posting link.",
        user_title="Link could not be posted",
        user_msg="The link could not be fetched. Check that the URL is public and reachable.",
    )


def batch_too_large() -> GraphError:
    # The code and type are UNCONFIRMED; the limit of 50 is not. A client must never send
    # more than 50 operations, and must not retry this error.
    return GraphError(
        1,
        "(#1) Too many requests in batch message. Maximum batch size is 50",
        type="GraphBatchException",
        transient=False,
    )


def injected(code: int, subcode: int | None, message: str | None) -> GraphError:
    """An arbitrary error injected through /__sandbox/faults (kind "error")."""
    return GraphError(code, message or f"(#{code}) Injected by the sandbox", subcode=subcode)
