"""Marketplace doors into order capture: Shopify and WooCommerce order webhooks.

Each marketplace module verifies its signature and turns its order payload into a
`CaptureRequest`; `inbox` keeps every verified delivery as a `ChannelWebhookReceipt` and captures.
"""
