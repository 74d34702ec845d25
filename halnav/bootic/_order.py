"""The :class:`Order`: a Bootic order entity, its web links, and the two ways it changes.

``update()`` edits an order still in ``checkout`` (``btc:update_order``: its line items, contact,
address); ``set_status()`` moves any order along its statuses (``btc:update_order_tracking``:
the status and the tracking fields). The live API offers ``btc:update_order`` on checkout orders
only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .._resource import Resource
from ._bodies import order_body
from ._errors import OrderNotEditable
from ._labels import order_label
from ._memory import learnt_about
from ._navigation import error_entries, find_link, find_optional_link, verb_for
from ._transitions import check_move, read_allowed

if TYPE_CHECKING:  # typing.Never is Python 3.11's; type checkers always have typing_extensions
    from typing_extensions import Never

__all__ = ["Order"]

UPDATE_ORDER_RELS = ("btc:update_order", "update_order")
TRACKING_RELS = ("btc:update_order_tracking", "update_order_tracking")
#: The status in which an order may still be edited.
EDITABLE = "checkout"


class Order(Resource):
    """An order (a :class:`halnav.Resource`, so ``follow``, ``links``, ``pointer`` all work).

    >>> order["status"], order.code
    ('checkout', 'R1C3964')
    >>> order.checkout_url
    'https://checkout.bootic.net/orders/R1C3964'
    >>> order = order.update(line_items=[{"variant_id": 1234, "units": 2}])
    >>> order = order.set_status("pending")
    """

    __slots__ = ()

    @property
    def id(self) -> Any:
        """The order's ``id`` property (``None`` if the document has none)."""
        return self.get("id")

    @property
    def code(self) -> str | None:
        """The order's ``code`` (``R1C3964``), the reference a customer sees."""
        return _text(self.get("code"))

    @property
    def status(self) -> str | None:
        """``checkout``, ``pending``, ``closed``, ``shipped``, ``delivered`` or ``invalid``."""
        return _text(self.get("status"))

    @property
    def allowed_statuses(self) -> tuple[str, ...] | None:
        """The statuses this order may be set to, as the server lists them (``None`` if not)."""
        return read_allowed(self.document)

    @property
    def checkout_url(self) -> str:
        """The absolute URL of ``btc:web_checkout``, where a person completes and pays the order."""
        return self.link("btc:web_checkout").url()

    @property
    def cart_url(self) -> str:
        """The absolute URL of ``btc:web_cart``, where a person edits the order's cart."""
        return self.link("btc:web_cart").url()

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The entries of ``_embedded.errors`` (``field``, ``messages``): why an update refused it."""
        return error_entries(self.document)

    @property
    def line_items(self) -> list[Resource]:
        """The embedded ``line_items`` (empty when the document has none)."""
        if not self.has("line_items"):
            return []
        value = self.embedded["line_items"]
        return value if isinstance(value, list) else [value]

    def update(
        self,
        *,
        line_items: Sequence[Mapping[str, Any]] | None = None,
        contact: Mapping[str, Any] | None = None,
        address: Mapping[str, Any] | int | str | None = None,
        **others: Never,
    ) -> Order:
        """Edit an order in ``checkout`` through ``btc:update_order`` (its ``method``, PUT by
        default): its ``line_items`` (they replace the order's), ``contact``, ``address`` (an
        address id, or ``{"id": ...}``), with create_order's rules.

        Returns the updated order. An order past checkout raises :class:`OrderNotEditable`
        (its status changes with :meth:`set_status`), before any request when its status says
        so. An embedded order without the link is fetched by its ``self`` link first. Raises
        :class:`halnav.UnprocessableEntity` when the server refuses.
        """
        if others:
            raise TypeError(
                f"update() takes line_items, contact and address, not {', '.join(others)}; "
                "a status (and tracking_code, courier_name) changes with "
                "order.set_status(status, tracking_code=..., courier_name=...)"
            )
        body = order_body(line_items, contact, address)
        if not body:
            raise ValueError("update() needs line_items, contact or address")
        holder, link = find_optional_link(self, *UPDATE_ORDER_RELS)
        if link is None:
            status = _text(holder.get("status"))
            if status is not None and status != EDITABLE:
                raise OrderNotEditable(
                    f"{order_label(holder)} is {status!r}: only orders in {EDITABLE!r} can be "
                    "edited (btc:update_order); to change its status, use "
                    "order.set_status(status, tracking_code=..., courier_name=...)",
                    status=status,
                )
            holder, link = find_link(holder, *UPDATE_ORDER_RELS)  # raises, naming what there is
        answer = holder.invoke(link.rel, json=body, method=verb_for(link, "PUT"))
        return _updated(answer, holder)

    def set_status(
        self,
        status: str,
        tracking_code: str | None = None,
        courier_name: str | None = None,
    ) -> Order:
        """Move the order to ``status`` through ``btc:update_order_tracking`` (PUT), setting
        ``tracking_code`` and ``courier_name`` when given.

        The move is checked first, before any request, against the order's
        ``allowed_statuses``, else the ``transitions`` of an orders page this client fetched,
        else the documented transitions: one the server would refuse raises
        :class:`InvalidTransition` naming the statuses allowed. Returns the updated order.
        """
        check_move(
            order_label(self),
            self.status,
            status,
            self.allowed_statuses,
            learnt_about(self.client).transitions,
        )
        body: dict[str, Any] = {"status": status}
        for key, value in (("tracking_code", tracking_code), ("courier_name", courier_name)):
            if value is not None:
                body[key] = value
        holder, link = find_link(self, *TRACKING_RELS)
        answer = holder.invoke(link.rel, json=body, method=verb_for(link, "PUT"))
        return _updated(answer, holder)


def _updated(answer: Resource, holder: Resource) -> Order:
    """The order an update answered with (fetched again when the answer has no body)."""
    if answer.document is None:
        answer = answer.refresh() if answer.location else holder.refresh()
    return answer.cast(Order)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
