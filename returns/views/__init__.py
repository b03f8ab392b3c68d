"""The returns back office: HTTP only — parse, call a selector or a service, render.

`panel` is the order page's Returns panel and its "Start a return" form; `queue` the returns
list; `detail` one return's page with its decisions, label, refund and exchange; `receive` the
receiving desk; `customer` the customer page's returns section. `returns.urls` names them.
"""
