"""Filters for the logging configuration in `oms/settings.py`."""

import logging

from django.core.exceptions import PermissionDenied


class RefusalWithoutTraceback(logging.Filter):
    """A 403 (signed in without the role a page needs) is the app working as designed: the
    request log gets one line with the reason, not the traceback of where it was refused."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, PermissionDenied):
            reason = str(error)
            record.msg = f"{record.getMessage()} ({reason})" if reason else record.getMessage()
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
