from django.utils.functional import SimpleLazyObject

from reviews.roles import request_roles


def roles(request):
    return {"roles": SimpleLazyObject(lambda: request_roles(request))}
