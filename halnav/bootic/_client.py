"""The :class:`BooticClient`: credentials for the Bootic API and the way to a shop."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .._client import Client
from .._oauth import ClientCredentials
from .._resource import Resource
from ._errors import ShopNotFound
from ._ids import id_key
from ._navigation import embedded_as, find_optional_link, follow_expanded, link_variables
from ._shop import Shop

__all__ = ["DEFAULT_ROOT_URL", "DEFAULT_TOKEN_URL", "BooticClient"]

#: The Bootic API's entry point.
DEFAULT_ROOT_URL = "https://api.bootic.net/v1"
#: Bootic's OAuth2 token endpoint.
DEFAULT_TOKEN_URL = "https://auth.bootic.net/oauth/token"
SHOP_RELS = ("btc:shop", "shop")
SHOPS_RELS = ("shops", "btc:shops")


class BooticClient:
    """A client of the Bootic API, with a bearer token or OAuth2 client credentials.

    >>> bootic = BooticClient(token="...")
    >>> bootic = BooticClient(client_id="...", client_secret="...")
    >>> bootic = BooticClient(token=saved, client_id="...", client_secret="...", on_new_token=save)
    >>> shop = bootic.shop()                 # the token user's first shop
    >>> shop = bootic.shop(id=123)
    >>> shop = bootic.shop(subdomain="acme")

    With client credentials a token is fetched from ``token_url`` (``scope`` optional) and
    renewed as needed; ``on_new_token(token)`` is called with each new one, to persist it, and
    ``token`` (a token saved so, or a bare access token) is used first while it is valid.
    Everything is reached through the relations of the root document; no URL is built here.
    Other keyword arguments (``timeout``, ``retries``, ``session``...) go to :class:`halnav.Client`.
    """

    def __init__(
        self,
        token: str | Mapping[str, Any] | None = None,
        *,
        root_url: str = DEFAULT_ROOT_URL,
        client_id: str | None = None,
        client_secret: str | None = None,
        token_url: str = DEFAULT_TOKEN_URL,
        scope: str | None = None,
        on_new_token: Callable[[dict[str, Any]], Any] | None = None,
        **client_kwargs: Any,
    ) -> None:
        if (client_id is None) != (client_secret is None):
            raise ValueError("OAuth2 client credentials need both client_id and client_secret")
        if "auth" in client_kwargs and (token is not None or client_id is not None):
            raise ValueError("give auth=, or token= and/or client_id=/client_secret=, not both")
        #: The credentials this client made (and so closes), if any.
        self._credentials: ClientCredentials | None = None
        if client_id is not None and client_secret is not None:
            # Without the oauth extra this raises ImportError naming pip install 'halnav[oauth]'.
            self._credentials = ClientCredentials(
                token_url,
                client_id,
                client_secret,
                scope=scope,
                on_new_token=on_new_token,
                token=_saved_token(token),
            )
            client_kwargs["auth"] = self._credentials
        elif token is not None:
            client_kwargs["token"] = _access_token(token)
        self._client = Client(root_url, **client_kwargs)

    @property
    def client(self) -> Client:
        """The underlying :class:`halnav.Client` (for anything the layer does not wrap)."""
        return self._client

    def root(self) -> Resource:
        """GET the API's root document."""
        return self._client.root()

    def shops(self) -> list[Shop]:
        """The shops the root embeds (those of the token's user)."""
        return _embedded_shops(self.root())

    def shop(self, id: int | str | None = None, *, subdomain: str | None = None) -> Shop:
        """A shop: the token user's first one, the one with ``id``, or the one at ``subdomain``.

        ``id`` (``29`` or ``"29"``: servers write both) uses the root's embedded shop with that
        id when there is one, else the root's ``btc:shop`` template when it has one. Raises
        :class:`ShopNotFound` naming the shops there are.
        """
        if id is not None and subdomain is not None:
            raise ValueError("give id= or subdomain=, not both")
        root = self.root()
        shops = _embedded_shops(root)
        if id is not None:
            for shop in shops:
                if id_key(shop.get("id")) == id_key(id):
                    return shop
            holder, link = find_optional_link(root, *SHOP_RELS)
            if link is None:
                known = [id_key(shop.get("id")) for shop in shops]
                raise ShopNotFound(
                    f"no shop with id {id!r} among the token's shops, and the root has no "
                    f"btc:shop link to fetch another; ids: {', '.join(known) or '(none)'}",
                    available=known,
                )
            variable = _sole_variable(link_variables(link))
            return follow_expanded(holder, link, {variable: id}).cast(Shop)
        if subdomain is not None:
            for shop in shops:
                if shop.get("subdomain") == subdomain:
                    return shop
            known = [str(shop.get("subdomain")) for shop in shops]
            raise ShopNotFound(
                f"no shop with subdomain {subdomain!r} among the token's shops; "
                f"subdomains: {', '.join(known) or '(none)'}",
                available=known,
            )
        if not shops:
            raise ShopNotFound(
                f"the root document {root.url} embeds no shops for this token; "
                "name one with shop(id=...)"
            )
        return shops[0]

    def close(self) -> None:
        """Close the pooled connections, and those to the token URL of the credentials made here."""
        try:
            self._client.close()
        finally:
            if self._credentials is not None:
                self._credentials.close()

    def __enter__(self) -> BooticClient:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<BooticClient {self._client!r}>"


def _embedded_shops(root: Resource) -> list[Shop]:
    return embedded_as(root, Shop, *SHOPS_RELS)


def _saved_token(token: str | Mapping[str, Any] | None) -> dict[str, Any] | None:
    """A token to start client credentials with: a saved one as given, a bare access token as
    a bearer token of unknown expiry (used until the server refuses it, then renewed)."""
    if token is None:
        return None
    if isinstance(token, str):
        return {"access_token": token, "token_type": "Bearer"}
    return dict(token)


def _access_token(token: str | Mapping[str, Any]) -> str:
    if isinstance(token, str):
        return token
    access = token.get("access_token")
    if not isinstance(access, str) or not access:
        raise ValueError("a saved token needs its access_token (a string)")
    return access


def _sole_variable(variables: tuple[str, ...]) -> str:
    if "id" in variables or not variables:
        return "id"
    if "shop_id" in variables:
        return "shop_id"
    return variables[0]
