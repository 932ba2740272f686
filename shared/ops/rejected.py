"""intake's rejected store, reached over intake's operators' HTTP routes: what intake refused
(kept sealed, with every field error), shown redacted, revealed whole (audited), replayed as
kept or fixed, or discarded."""

from __future__ import annotations

from typing import Any

import httpx


class RejectedStoreError(RuntimeError):
    pass


class RejectedStore:
    def __init__(self, base_url: str, *, api_key: str = "", timeout: float = 15.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RejectedStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def list(self, *, status: str = "pending") -> list[dict[str, Any]]:
        return self._call("GET", "/v1/rejected", params={"status": status})

    def show(self, rejection_id: str) -> dict[str, Any]:
        return self._call("GET", f"/v1/rejected/{rejection_id}")

    def replay(self, rejection_id: str, fixed: Any = None) -> dict[str, Any]:
        """`fixed`: the operator's corrected message, sent instead of the kept one."""
        return self._call("POST", f"/v1/rejected/{rejection_id}/replay",
                          **({"json": fixed} if fixed is not None else {}))

    def reveal(self, rejection_id: str, *, reason: str, officer: str) -> dict[str, Any]:
        """The whole kept body, which `show` withholds or masks. intake records the reveal
        (reveal_audit): under the key's system with an API key, else as `officer`."""
        return self._call("POST", f"/v1/rejected/{rejection_id}/reveal",
                          json={"reason": reason, "officer": officer})

    def discard(self, rejection_id: str, *, reason: str) -> dict[str, Any]:
        return self._call("POST", f"/v1/rejected/{rejection_id}/discard",
                          json={"reason": reason})

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise RejectedStoreError(f"intake không trả lời tại {self._http.base_url} "
                                     f"({type(exc).__name__}); intake có đang chạy?") from exc
        if response.status_code >= 400:
            raise RejectedStoreError(f"intake trả lời {response.status_code}: "
                                     f"{_detail(response)[:300]}")
        return response.json()


def _detail(response: httpx.Response) -> str:
    """intake's own words for a refusal (FastAPI's `detail`), else the raw answer."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text
    return detail if isinstance(detail, str) else response.text
