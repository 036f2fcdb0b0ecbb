from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"

    def ready(self):
        from reviews import roles  # noqa: F401 - connects the receivers that keep roles current
