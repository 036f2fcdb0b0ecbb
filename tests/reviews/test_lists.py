import datetime

import pytest
from django.utils.dateformat import format as date_format

from reviews.views.lists import day_label

pytestmark = pytest.mark.dates


def test_day_labels_are_what_the_date_filter_writes():
    for month in range(1, 13):
        for day in (1, 9, 28):
            value = datetime.date(2026, month, day)
            assert day_label(value) == date_format(value, "j M Y")
