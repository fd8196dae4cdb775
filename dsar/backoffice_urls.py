"""The DPO's queue of rights requests, under /backoffice/requests/."""

app_name = "requests"

urlpatterns: list = []
