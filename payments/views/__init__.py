"""The payments back office: the panel on the order page, its actions, the failed queue."""
