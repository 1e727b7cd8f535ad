from django.shortcuts import render


def forbidden(request, exception=None):
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def not_found(request, exception=None):
    return render(request, "404.html", status=404)
