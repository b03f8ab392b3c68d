"""Marketplace doors into order capture: Shopify and WooCommerce order webhooks.

Each marketplace module verifies its signature and turns its order payload into a
`CaptureRequest`; `inbox` keeps every verified delivery as a `ChannelWebhookReceipt`, then
reads its body (`parsing`), maps it, fits what the tables cannot hold as sent (`fitting`: the
order is held with the reason) and captures.
"""
