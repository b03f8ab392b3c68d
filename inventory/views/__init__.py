"""The inventory back office: HTTP only — parse, call a selector or a service, render.

One module per screen family; `inventory.urls` names each view.
"""
