"""The orders back office: HTTP only — parse, call a selector or a service, render.

One module per screen family (queues, the order page and its actions, bulk actions, search,
saved views; `orders.urls` names those), CSV import (`orders.urls_import`) and manual order
entry (`orders.urls_manual`).
"""
