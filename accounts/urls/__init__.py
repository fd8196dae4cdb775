"""accounts' routes, one module per prefix: public (/accounts/, beside security's login pages),
account (/account/), console (/console/), people (/backoffice/people/). config/urls.py mounts
them."""
