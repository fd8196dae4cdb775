"""sso's routes, one module per prefix: login (/accounts/sso/), console (/console/sso/),
backoffice (/backoffice/organisations/<pk>/sso/). config/urls.py mounts them."""
