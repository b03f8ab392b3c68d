"""How the back office writes and reads days and times: one way, the way its lists print them.

Django picks these over its English defaults ("Jan. 15, 2025"). `{{ value|date }}` prints a day,
`{{ value|date:"DATETIME_FORMAT" }}` a day and time, and every date field of a form accepts
exactly the format it shows, so a typed 01/02/2025 is refused rather than read one way or the
other.
"""

DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
DATE_INPUT_FORMATS = ["%Y-%m-%d"]
