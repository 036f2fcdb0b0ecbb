from django.utils.functional import SimpleLazyObject

from accounts.roles import roles_for


def roles(request):
    return {"roles": SimpleLazyObject(lambda: roles_for(request.user))}
