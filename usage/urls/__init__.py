"""usage's routes: console (the client's report, /console/usage/) and backoffice (the
aggregates, /backoffice/usage/). config/urls.py mounts them."""
