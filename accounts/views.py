from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.selectors import user_data_held


@login_required
def account_home(request: HttpRequest) -> HttpResponse:
    sections = [s for s in user_data_held(request.user) if s.rows]
    return render(request, "account/home.html", {"sections": sections})
