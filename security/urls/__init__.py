"""security's routes, one module per prefix: login (/accounts/), account (/account/security/),
backoffice (/backoffice/investigations/). config/urls.py mounts them."""
